"""Inbound: suppliers, purchase orders, ASNs, scan-driven receiving, LPNs and directed putaway."""
