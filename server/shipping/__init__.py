"""Pack and ship: pack stations, verified packing, cartonization, carton labels, carriers and e-waybills,
rate shopping, tracking, loading, manifests and ship confirmation."""
