"""The demo warehouse's pack-and-ship set-up: two pack stations printing to files, a carton catalogue, the
shipping settings, and three carriers (two offline table-rate ones, and the e-waybill aggregator's ZTO, usable
once the WES_EWAYBILL_* settings are set)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from server.db.uow import UnitOfWork
from server.shipping import services

CARTONS = (
    ("S", 220, 170, 110, "0.150", "10", "0.80"),
    ("M", 320, 250, 160, "0.250", "20", "1.30"),
    ("L", 450, 350, 300, "0.450", "30", "2.20"),
    ("XL", 600, 400, 400, "0.800", "30", "3.50"),
)
RATES = {
    "zones": {"CN": "1", "CN:8": "2", "*": "3"},
    "rates": {"1": [[1.0, 8.0], [5.0, 12.0], [20.0, 25.0]], "2": [[1.0, 15.0], [5.0, 25.0]], "3": [[1.0, 60.0]]},
    "per_kg_over": 2.0,
}


async def seed_shipping(uow: UnitOfWork, warehouse_id: int, label_dir: Path) -> None:
    """Add the set-up to the demo warehouse (the caller commits)."""
    for code in ("P1", "P2"):
        await services.create_station(
            uow,
            warehouse_id=warehouse_id,
            code=code,
            printer_uri=f"file://{(label_dir / f'pack-{code}.zpl').resolve()}",
            scale_uri="",
            location_code=None,
        )
    for code, length, width, height, tare, max_kg, cost in CARTONS:
        await services.create_carton_type(
            uow,
            warehouse_id,
            {
                "code": code,
                "length_mm": length,
                "width_mm": width,
                "height_mm": height,
                "tare_kg": Decimal(tare),
                "max_kg": Decimal(max_kg),
                "cost": Decimal(cost),
            },
        )
    await services.update_settings(
        uow,
        warehouse_id,
        {
            "ship_from": {
                "name": "上海一号仓 Shanghai DC",
                "line1": "浦东新区 1 号 1 Pudong Avenue",
                "city": "上海",
                "postcode": "200120",
                "country": "CN",
                "phone": "021-00000000",
            }
        },
    )
    await services.create_carrier(
        uow,
        warehouse_id=warehouse_id,
        code="POST",
        name="China Post EMS 中国邮政",
        kind="table_rate",
        config={**RATES, "tracking": {"prefix": "EA", "suffix": "CN", "first": 10000, "last": 99999999}},
        services=[
            {"code": "EXPRESS", "name": "EMS express", "level": 1, "cutoff": "17:00", "rate_factor": "1.5"},
            {"code": "STD", "name": "Standard", "level": 2, "cutoff": "19:00"},
        ],
    )
    await services.create_carrier(
        uow,
        warehouse_id=warehouse_id,
        code="SF",
        name="SF Express 顺丰",
        kind="table_rate",
        config={
            **RATES,
            "rates": {"1": [[1.0, 12.0], [5.0, 18.0]], "2": [[1.0, 18.0]], "3": [[1.0, 90.0]]},
            "tracking": {"prefix": "SF", "suffix": "CN", "first": 1, "last": 99999999},
        },
        services=[{"code": "NEXTDAY", "name": "次日达 next day", "level": 1, "cutoff": "20:00"}],
    )
    await services.create_carrier(
        uow,
        warehouse_id=warehouse_id,
        code="ZTO",
        name="ZTO 中通快递",
        kind="ewaybill",
        config={"shipper_code": "ZTO", "zones": {"CN": "1"}, "rates": {"1": [[1.0, 6.5], [5.0, 10.0]]}},
        services=[{"code": "STD", "name": "标准快递", "level": 2, "cutoff": "18:30"}],
    )
