"""Realistic sample data for every template (including a Chinese ship-to address)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from labels.gs1 import MemorySerialSource, SSCCGenerator

# GS1's documentation company prefix 0614141 and extension digit 1; serial 12345 gives the SSCC
# used throughout the GS1 General Specifications, 1 0614141 000012345 9.
SAMPLE_SSCC = SSCCGenerator("0614141", 1, MemorySerialSource(start=12345)).next()


def samples() -> dict[str, dict[str, Any]]:
    """Template name -> JSON-ready sample data."""
    return {
        "waybill": {
            "carrier": "SF Express 顺丰",
            "service": "标快 Standard",
            "tracking_number": "EA123456785CN",
            "sscc": SAMPLE_SSCC,
            "order_reference": "SO-2026-000481",
            "ship_from": {
                "name": "Acme Fulfilment Hangzhou",
                "company": "Acme Trading Co., Ltd.",
                "lines": ["No. 88 Xingguo Road, Building 2"],
                "city": "Hangzhou",
                "region": "Zhejiang",
                "postal_code": "310000",
                "country": "CN",
                "phone": "+86 571 8888 0000",
            },
            "ship_to": {
                "name": "张伟",
                "lines": ["上海市浦东新区张江高科技园区碧波路690号", "3号楼5层 501室"],
                "city": "上海市",
                "region": "上海市",
                "postal_code": "201203",
                "country": "CN",
                "phone": "138-0013-8000",
            },
            "weight_kg": 2.35,
            "piece_number": 1,
            "piece_count": 1,
            "ship_date": dt.date(2026, 11, 28).isoformat(),
        },
        "gs1_logistic": {
            "sscc": SAMPLE_SSCC,
            "ship_from": "Acme Fulfilment Hangzhou, No. 88 Xingguo Road, Hangzhou 310000 CN",
            "ship_to": "华东配送中心 East China DC, 上海市浦东新区张江路 1 号, 201203 CN",
            "content_gtin": "09501101530003",
            "description": "Green tea 绿茶 500 ml x 24",
            "count": 48,
            "lot": "L2611A7",
            "expiry": dt.date(2027, 5, 31).isoformat(),
        },
        "lpn": {
            "lpn": "LPN0004711",
            "warehouse": "SHA-01",
            "sku": "TEA-500-24",
            "description": "Green tea 500 ml x 24",
            "quantity": 48,
            "created": dt.date(2026, 11, 28).isoformat(),
        },
        "location": {"code": "A-01-02-3", "check_digits": "47", "zone": "Zone A ambient, aisle 01"},
        "product": {
            "sku": "TEA-500",
            "description": "Green tea 绿茶 500 ml bottle",
            "gtin": "09501101530003",
            "lot": "L2611A7",
            "expiry": dt.date(2027, 5, 31).isoformat(),
        },
    }
