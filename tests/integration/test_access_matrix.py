"""Invariant 6: an owner's users and API keys see and change only that owner's data.

The matrix below names every endpoint of the API; a test fails when an endpoint exists that the matrix does not
cover, so a new endpoint cannot ship without saying what another owner's login gets from it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from server.app import create_app
from server.http.guards import OPENAPI_PREFIX
from tests.conftest import make_settings
from tests.outbound_helpers import add_outbound
from tests.world import World, add_inbound, login


def _routes() -> set[tuple[str, str]]:
    app = create_app(make_settings("sqlite+aiosqlite:///:memory:"))
    out = set()
    for route in app.routes:
        if route.path.startswith((OPENAPI_PREFIX, "/static", "/board")):
            continue  # the board is for staff only: tests/integration/test_board.py proves it
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods:
                if method not in {"HEAD", "OPTIONS"}:
                    out.add((method, route.path))
    return out


def test_every_route_declares_its_roles():
    app = create_app(make_settings("sqlite+aiosqlite:///:memory:"))
    missing = []
    for route in app.routes:
        if route.path.startswith(OPENAPI_PREFIX):
            continue
        for handler in getattr(route, "route_handlers", []):
            if handler.http_methods == {"OPTIONS"}:
                continue
            if handler.opt.get("roles") is None:
                missing.append(route.path)
    assert not missing, f"routes without roles: {missing}"


# (method, path) -> what another owner's login gets. "own" lists: filtered to the caller's owner.
# A status: what it gets when it names the other owner's object. None: not owner data (shared layout etc.).
A, B = "OWNA", "OWNB"
MATRIX: dict[tuple[str, str], Any] = {
    ("GET", "/health"): None,
    ("GET", "/api/v1/slotting/assignments"): 403,
    ("PUT", "/api/v1/slotting/assignments"): 403,
    ("POST", "/api/v1/slotting/plans"): 403,
    ("GET", "/api/v1/slotting/plans/{plan_id:int}"): 403,
    ("POST", "/api/v1/slotting/plans/{plan_id:int}/release"): 403,
    ("GET", "/metrics"): None,
    ("POST", "/api/v1/auth/login"): None,
    ("POST", "/api/v1/auth/logout"): None,
    ("GET", "/api/v1/auth/me"): None,
    ("GET", "/api/v1/owners"): "own",
    ("POST", "/api/v1/owners"): 403,
    ("PATCH", "/api/v1/owners/{owner_id:int}"): 403,
    ("GET", "/api/v1/warehouses"): None,
    ("POST", "/api/v1/warehouses"): 403,
    ("GET", "/api/v1/users"): 403,
    ("POST", "/api/v1/users"): 403,
    ("GET", "/api/v1/devices"): 403,
    ("POST", "/api/v1/devices"): 403,
    ("GET", "/api/v1/api-keys"): "own",
    ("POST", "/api/v1/api-keys"): 403,
    ("GET", "/api/v1/warehouses/{warehouse_id:int}/zones"): None,
    ("POST", "/api/v1/warehouses/{warehouse_id:int}/zones"): 403,
    ("GET", "/api/v1/warehouses/{warehouse_id:int}/locations"): None,
    ("POST", "/api/v1/warehouses/{warehouse_id:int}/locations"): 403,
    ("GET", "/api/v1/warehouses/{warehouse_id:int}/locations/by-code/{code:str}"): None,
    ("POST", "/api/v1/warehouses/{warehouse_id:int}/locations/check"): 403,
    ("POST", "/api/v1/warehouses/{warehouse_id:int}/locations/import"): 403,
    ("POST", "/api/v1/warehouses/{warehouse_id:int}/layout/generate"): 403,
    ("GET", "/api/v1/locations/{location_id:int}"): None,
    ("GET", "/api/v1/warehouses/{warehouse_id:int}/walking-graph"): None,
    ("POST", "/api/v1/warehouses/{warehouse_id:int}/routes"): 403,
    ("PATCH", "/api/v1/locations/{location_id:int}/block"): 403,
    ("GET", "/api/v1/skus"): "own",
    ("POST", "/api/v1/skus"): 403,
    ("GET", "/api/v1/skus/{sku_id:int}"): 403,
    ("PATCH", "/api/v1/skus/{sku_id:int}"): 403,
    ("POST", "/api/v1/skus/{sku_id:int}/barcodes"): 403,
    ("GET", "/api/v1/stock"): "own",
    ("GET", "/api/v1/stock/{stock_id:int}"): 403,
    ("POST", "/api/v1/stock/moves"): 403,
    ("POST", "/api/v1/stock/adjustments"): 403,
    ("POST", "/api/v1/stock/status"): 403,
    ("GET", "/api/v1/movements"): "own",
    ("POST", "/api/v1/orders"): 403,
    ("POST", "/api/v1/orders/bulk"): None,  # 200 with a result per order: test_outbound checks other_owner there
    ("GET", "/api/v1/orders"): "own",
    ("GET", "/api/v1/orders/{order_id:int}"): 403,
    ("POST", "/api/v1/orders/{order_id:int}/hold"): 403,
    ("POST", "/api/v1/orders/{order_id:int}/unhold"): 403,
    ("POST", "/api/v1/orders/{order_id:int}/cancel"): 403,
    ("POST", "/api/v1/orders/{order_id:int}/allocate"): 403,
    ("POST", "/api/v1/allocation/run"): 403,
    ("GET", "/api/v1/warehouses/{warehouse_id:int}/cart-types"): 403,
    ("POST", "/api/v1/warehouses/{warehouse_id:int}/cart-types"): 403,
    ("GET", "/api/v1/warehouses/{warehouse_id:int}/wave-rules"): 403,
    ("POST", "/api/v1/warehouses/{warehouse_id:int}/wave-rules"): 403,
    ("POST", "/api/v1/waves"): 403,
    ("GET", "/api/v1/waves"): 403,
    ("GET", "/api/v1/waves/{wave_id:int}"): 403,
    ("POST", "/api/v1/waves/{wave_id:int}/release"): 403,
    ("POST", "/api/v1/waves/{wave_id:int}/cancel"): 403,
    ("POST", "/api/v1/picking/claim"): 403,
    ("GET", "/api/v1/picking/batches"): 403,
    ("GET", "/api/v1/picking/batches/{batch_id:int}"): 403,
    ("POST", "/api/v1/picking/batches/{batch_id:int}/release"): 403,
    ("POST", "/api/v1/picking/picks/{task_id:int}/confirm"): 403,
    ("POST", "/api/v1/picking/picks/{task_id:int}/short"): 403,
    ("GET", "/api/v1/suppliers"): "own",
    ("POST", "/api/v1/suppliers"): 403,
    ("GET", "/api/v1/purchase-orders"): "own",
    ("POST", "/api/v1/purchase-orders"): 403,
    ("GET", "/api/v1/purchase-orders/{po_id:int}"): 403,
    ("POST", "/api/v1/purchase-orders/{po_id:int}/status"): 403,
    ("GET", "/api/v1/asns"): "own",
    ("POST", "/api/v1/asns"): 403,
    ("GET", "/api/v1/asns/{asn_id:int}"): 403,
    ("POST", "/api/v1/scans/parse"): 403,
    ("GET", "/api/v1/receipts"): "own",
    ("POST", "/api/v1/receipts"): 403,
    ("GET", "/api/v1/receipts/{receipt_id:int}"): 403,
    ("POST", "/api/v1/receipts/{receipt_id:int}/scans"): 403,
    ("POST", "/api/v1/receipts/{receipt_id:int}/lpns"): 403,
    ("POST", "/api/v1/receipts/{receipt_id:int}/close"): 403,
    ("GET", "/api/v1/lpns/{lpn_code:str}"): 403,
    ("GET", "/api/v1/lpns/{lpn_code:str}/label.zpl"): 403,
    ("POST", "/api/v1/lpns/{lpn_code:str}/print"): 403,
    ("POST", "/api/v1/putaway-tasks/{task_id:int}/confirm"): 403,
    ("POST", "/api/v1/putaway-tasks/{task_id:int}/destination"): 403,
    ("GET", "/api/v1/tasks"): "own",
    ("GET", "/api/v1/tasks/{task_id:int}"): 403,
    ("POST", "/api/v1/tasks/claim"): 403,
    ("POST", "/api/v1/tasks/{task_id:int}/claim"): 403,
    ("POST", "/api/v1/tasks/{task_id:int}/start"): 403,
    ("POST", "/api/v1/tasks/{task_id:int}/cancel"): 403,
    ("POST", "/api/v1/tasks/{task_id:int}/reassign"): 403,
    ("GET", "/api/v1/exceptions"): 403,
    ("GET", "/api/v1/exceptions/{exception_id:int}"): 403,
    ("POST", "/api/v1/exceptions/{exception_id:int}/resolve"): 403,
    # pack and ship: warehouse work; the platform's tracking push is public and signed
    ("GET", "/api/v1/pack-stations"): 403,
    ("POST", "/api/v1/pack-stations"): 403,
    ("GET", "/api/v1/warehouses/{warehouse_id:int}/carton-types"): 403,
    ("POST", "/api/v1/warehouses/{warehouse_id:int}/carton-types"): 403,
    ("GET", "/api/v1/warehouses/{warehouse_id:int}/shipping-settings"): 403,
    ("PATCH", "/api/v1/warehouses/{warehouse_id:int}/shipping-settings"): 403,
    ("GET", "/api/v1/carriers"): 403,
    ("POST", "/api/v1/carriers"): 403,
    ("POST", "/api/v1/shipping/rates"): 403,
    ("POST", "/api/v1/packing/start"): 403,
    ("GET", "/api/v1/shipments"): 403,
    ("GET", "/api/v1/shipments/{shipment_id:int}"): 403,
    ("POST", "/api/v1/shipments/{shipment_id:int}/cartons"): 403,
    ("POST", "/api/v1/shipments/{shipment_id:int}/scans"): 403,
    ("POST", "/api/v1/shipments/{shipment_id:int}/short"): 403,
    ("POST", "/api/v1/shipments/{shipment_id:int}/finish"): 403,
    ("POST", "/api/v1/cartons/{carton_id:int}/close"): 403,
    ("POST", "/api/v1/cartons/{carton_id:int}/reprint"): 403,
    ("GET", "/api/v1/cartons/{carton_id:int}/labels"): 403,
    ("POST", "/api/v1/dispatch/load"): 403,
    ("POST", "/api/v1/manifests"): 403,
    ("GET", "/api/v1/manifests"): 403,
    ("GET", "/api/v1/manifests/{manifest_id:int}"): 403,
    ("GET", "/api/v1/manifests/{manifest_id:int}/manifest.csv"): 403,
    ("GET", "/api/v1/manifests/{manifest_id:int}/manifest.pdf"): 403,
    ("POST", "/api/v1/tracking/push"): None,
    # inventory control
    ("POST", "/api/v1/moves/tasks"): 403,
    ("POST", "/api/v1/moves/tasks/{task_id:int}/confirm"): 403,
    ("POST", "/api/v1/moves/lpns"): 403,
    ("POST", "/api/v1/moves/nesting"): 403,
    ("GET", "/api/v1/moves/consolidation"): 403,
    ("POST", "/api/v1/counts/tasks/{task_id:int}/submit"): 403,
    ("POST", "/api/v1/counts"): 403,
    ("GET", "/api/v1/counts"): 403,
    ("GET", "/api/v1/counts/{count_id:int}"): 403,
    ("POST", "/api/v1/counts/{count_id:int}/approve"): 403,
    ("POST", "/api/v1/counts/{count_id:int}/reject"): 403,
    ("POST", "/api/v1/counts/{count_id:int}/cancel"): 403,
    ("POST", "/api/v1/count-plans"): 403,
    ("GET", "/api/v1/count-plans"): 403,
    ("POST", "/api/v1/count-plans/{plan_id:int}/run"): 403,
    ("GET", "/api/v1/warehouses/{warehouse_id:int}/inventory-settings"): 403,
    ("PUT", "/api/v1/warehouses/{warehouse_id:int}/inventory-settings"): 403,
    ("PUT", "/api/v1/sku-costs"): 403,
    ("POST", "/api/v1/pick-face-rules"): 403,
    ("GET", "/api/v1/pick-face-rules"): 403,
    ("POST", "/api/v1/replenishment/run"): 403,
    ("POST", "/api/v1/holds"): 403,
    ("GET", "/api/v1/holds"): 403,
    ("POST", "/api/v1/holds/{hold_id:int}/release"): 403,
    ("POST", "/api/v1/recalls"): 403,
    ("POST", "/api/v1/returns"): 403,
    # the world has no return yet: tests/integration/test_returns.py proves another owner's key gets 403 and an
    # empty list there
    ("GET", "/api/v1/returns"): None,
    ("GET", "/api/v1/returns/{rma_id:int}"): None,
    ("POST", "/api/v1/returns/{rma_id:int}/cancel"): None,
    ("POST", "/api/v1/returns/lookup"): 403,
    ("POST", "/api/v1/returns/{rma_id:int}/receive"): 403,
    ("GET", "/api/v1/vendor-returns"): 403,
    ("GET", "/api/v1/vendor-returns/{rtv_id:int}"): 403,
    ("POST", "/api/v1/vendor-returns/{rtv_id:int}/ship"): 403,
    ("POST", "/api/v1/webhooks"): 403,
    # the world has no webhook yet: tests/integration/test_webhooks.py proves another owner's key gets 403 when
    # naming the other owner or its delivery, and only its own rows in the lists
    ("GET", "/api/v1/webhooks"): None,
    ("GET", "/api/v1/webhooks/deliveries"): None,
    ("POST", "/api/v1/webhooks/deliveries/{delivery_id:int}/resend"): None,
    # billing: rate cards, snapshots, derivation and issuing are staff work (403); a preview naming the other owner
    # gets 403. The world has no rate card or invoice: tests/integration/test_billing_month.py proves an owner's key
    # and user list only their own, and get 403 for the other owner's invoice, its CSV and its PDF
    ("POST", "/api/v1/billing/rate-cards"): 403,
    ("GET", "/api/v1/billing/rate-cards"): None,
    ("GET", "/api/v1/billing/rate-cards/{card_id:int}"): None,
    ("PUT", "/api/v1/billing/rate-cards/{card_id:int}"): 403,
    ("DELETE", "/api/v1/billing/rate-cards/{card_id:int}"): 403,
    ("POST", "/api/v1/billing/snapshots"): 403,
    ("GET", "/api/v1/billing/snapshots"): None,
    ("POST", "/api/v1/billing/events/derive"): 403,
    ("GET", "/api/v1/billing/events"): None,
    ("POST", "/api/v1/billing/invoices/preview"): 403,
    ("POST", "/api/v1/billing/invoices"): 403,
    ("GET", "/api/v1/billing/invoices"): None,
    ("GET", "/api/v1/billing/invoices/{invoice_id:int}"): None,
    ("GET", "/api/v1/billing/invoices/{invoice_id:int}/invoice.csv"): None,
    ("GET", "/api/v1/billing/invoices/{invoice_id:int}/invoice.pdf"): None,
    ("POST", "/api/v1/billing/invoices/{invoice_id:int}/credit-notes"): 403,
    # value-added services: an owner asks for its own (naming the other owner: 403); confirming is floor work
    ("POST", "/api/v1/vas-tasks"): 403,
    ("POST", "/api/v1/vas-tasks/{task_id:int}/done"): 403,
    # bulk CSV: an owner's key naming another owner in a file gets 403 and nothing imported, its exports hold only
    # its own rows, and naming another owner_id gets 403: tests/integration/test_bulk_csv.py proves each kind
    ("POST", "/api/v1/import/skus"): None,
    ("POST", "/api/v1/import/orders"): None,
    ("POST", "/api/v1/import/purchase-orders"): None,
    ("POST", "/api/v1/import/stock"): None,
    ("GET", "/api/v1/export/skus.csv"): None,
    ("GET", "/api/v1/export/orders.csv"): None,
    ("GET", "/api/v1/export/purchase-orders.csv"): None,
    ("GET", "/api/v1/export/stock.csv"): None,
    ("GET", "/api/v1/atp"): "own",
    ("GET", "/api/v1/atp/changes"): "own",
}


def test_matrix_covers_every_endpoint():
    routes = _routes()
    assert routes - MATRIX.keys() == set(), "add these endpoints to the access matrix"
    assert MATRIX.keys() - routes == set(), "the matrix names endpoints that no longer exist"


def _request(world: World, method: str, path: str) -> tuple[str, str, dict[str, Any] | None]:
    """The call that targets owner B's data (or the plain call for lists)."""
    b_sku, b_stock = world.skus[f"{B}-SKU0"], world.stock[B]
    loc = world.locations["B-03-05-A"]
    p = (
        path.replace("{warehouse_id:int}", str(world.warehouse_id))
        .replace("{sku_id:int}", str(b_sku))
        .replace("{stock_id:int}", str(b_stock))
        .replace("{location_id:int}", str(loc))
        .replace("{code:str}", "A-01-01-A")
        .replace("{owner_id:int}", str(world.owners[B]))
    )
    b_in = world.inbound.get(B, {})
    for name in ("po", "asn", "receipt", "task"):
        p = p.replace(f"{{{name}_id:int}}", str(b_in.get(name, 0)))
    p = p.replace("{lpn_code:str}", str(b_in.get("lpn", "NONE")))
    b_owner = world.owners[B]
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/api/v1/lpns/{lpn_code:str}/print"): {"printer": "file:///tmp/wes-matrix-should-not-exist.zpl"},
        ("POST", "/api/v1/owners"): {"code": "EVIL", "name": "x"},
        ("PATCH", "/api/v1/owners/{owner_id:int}"): {"name": "renamed", "active": False},
        ("POST", "/api/v1/warehouses"): {"code": "EVIL", "name": "x"},
        ("POST", "/api/v1/users"): {
            "username": "evil",
            "display_name": "x",
            "password": "12345678",
            "role": "admin",
        },
        ("POST", "/api/v1/devices"): {"code": "EVIL", "name": "x", "warehouse_id": world.warehouse_id},
        ("POST", "/api/v1/api-keys"): {"name": "steal", "owner_id": world.owners[B]},
        ("POST", "/api/v1/skus"): {"owner_id": world.owners[B], "code": "EVIL", "name": "x"},
        ("PATCH", "/api/v1/skus/{sku_id:int}"): {"name": "renamed"},
        ("POST", "/api/v1/skus/{sku_id:int}/barcodes"): {"value": "EVIL-1", "kind": "alternate"},
        ("POST", "/api/v1/stock/moves"): {"stock_id": b_stock, "qty": 1, "to_location_id": loc},
        ("POST", "/api/v1/stock/adjustments"): {
            "stock_id": b_stock,
            "delta": -1,
            "reason": "adjust_lost",
            "note": "x",
        },
        ("POST", "/api/v1/stock/status"): {"stock_id": b_stock, "qty": 1, "status": "hold", "note": "x"},
        ("POST", "/api/v1/warehouses/{warehouse_id:int}/zones"): {"code": "EV", "name": "x"},
        ("POST", "/api/v1/warehouses/{warehouse_id:int}/locations"): {
            "code": "EV-1",
            "zone_id": 1,
            "type": "reserve",
        },
        ("POST", "/api/v1/warehouses/{warehouse_id:int}/locations/check"): {
            "code": "A-01-01-A",
            "check_digits": "00",
        },
        ("POST", "/api/v1/warehouses/{warehouse_id:int}/layout/generate"): {"aisles": 1, "aisle_length_m": 2},
        ("PATCH", "/api/v1/locations/{location_id:int}/block"): {"blocked": True},
        ("POST", "/api/v1/suppliers"): {"owner_id": b_owner, "code": "EVIL", "name": "x"},
        ("POST", "/api/v1/purchase-orders"): {
            "owner_id": b_owner,
            "warehouse_id": world.warehouse_id,
            "supplier_id": b_in.get("supplier", 0),
            "number": "EVIL",
            "lines": [{"sku_id": b_sku, "qty": 1}],
        },
        ("POST", "/api/v1/purchase-orders/{po_id:int}/status"): {"status": "cancelled"},
        ("POST", "/api/v1/asns"): {
            "owner_id": b_owner,
            "warehouse_id": world.warehouse_id,
            "number": "EVIL",
            "units": [{"items": [{"sku_id": b_sku, "qty": 1}]}],
        },
        ("POST", "/api/v1/scans/parse"): {"raw": "OWNB-SKU0"},
        ("POST", "/api/v1/receipts"): {"warehouse_id": world.warehouse_id, "owner_id": b_owner},
        ("POST", "/api/v1/receipts/{receipt_id:int}/scans"): {"sku_id": b_sku, "qty": 1},
        ("POST", "/api/v1/putaway-tasks/{task_id:int}/confirm"): {"location": "A-01-01-A"},
        ("POST", "/api/v1/putaway-tasks/{task_id:int}/destination"): {"location": "A-01-01-A"},
        ("POST", "/api/v1/tasks/claim"): {"warehouse_id": world.warehouse_id},
        ("POST", "/api/v1/tasks/{task_id:int}/cancel"): {"note": "x"},
        ("POST", "/api/v1/tasks/{task_id:int}/reassign"): {"user_id": None},
    }
    p = p.replace("{order_id:int}", str(world.outbound.get(B, {}).get("order", 0)))
    p = p.replace("{wave_id:int}", "1").replace("{batch_id:int}", "1")
    for name in ("count_id", "plan_id", "hold_id", "rma_id"):
        p = p.replace(f"{{{name}:int}}", "1")
    bodies.update(
        {
            ("POST", "/api/v1/orders"): {
                "owner_id": world.owners[B],
                "warehouse_id": world.warehouse_id,
                "channel": "web",
                "channel_order_id": "EVIL-1",
                "ship_to": {"name": "x", "line1": "x", "city": "x", "postcode": "1", "country": "CN"},
                "lines": [{"sku": f"{B}-SKU0", "qty": 1}],
            },
            ("POST", "/api/v1/orders/{order_id:int}/hold"): {"reason": "payment"},
            ("POST", "/api/v1/allocation/run"): {"warehouse_id": world.warehouse_id},
            ("POST", "/api/v1/warehouses/{warehouse_id:int}/cart-types"): {
                "code": "X",
                "max_orders": 1,
                "max_lines": 1,
            },
            ("POST", "/api/v1/waves"): {"warehouse_id": world.warehouse_id},
            ("POST", "/api/v1/picking/claim"): {"warehouse_id": world.warehouse_id},
            ("POST", "/api/v1/returns"): {
                "owner_id": world.owners[B],
                "order_id": world.outbound.get(B, {}).get("order", 0),
                "lines": [{"line_no": 1, "qty": 1}],
            },
            ("POST", "/api/v1/picking/picks/{task_id:int}/confirm"): {"location": "x", "item": "x", "qty": 1},
            ("POST", "/api/v1/picking/picks/{task_id:int}/short"): {"location": "x", "found_qty": 0},
            ("POST", "/api/v1/webhooks"): {"owner_id": world.owners[B], "url": "https://example.com/hook"},
            ("POST", "/api/v1/billing/invoices/preview"): {"owner_id": world.owners[B], "period": "2026-10"},
            ("POST", "/api/v1/vas-tasks"): {
                "owner_id": world.owners[B],
                "warehouse_id": world.warehouse_id,
                "service_code": "KITTING",
                "qty": 1,
            },
        }
    )
    # any other object: the role guard or the owner check must refuse before the id matters
    p = re.sub(r"\{\w+:int\}", "1", re.sub(r"\{\w+:str\}", "X", p))
    return method, p, bodies.get((method, path), {})


@pytest.mark.parametrize("who", ["api_key", "client_user"])
async def test_other_owner_is_refused_everywhere(client, world: World, db_url: str, who: str):
    await add_inbound(db_url, world)
    await add_outbound(db_url, world)
    if who == "api_key":
        headers = {"X-API-Key": world.api_keys[A]}
    else:
        headers = await login(client, f"client-{A.lower()}")
    a_id, b_id = world.owners[A], world.owners[B]
    for (method, path), expect in MATRIX.items():
        if expect is None or path in ("/api/v1/auth/logout",):
            continue
        m, p, body = _request(world, method, path)
        if m == "GET":
            r = await client.get(p, headers=headers, params={"owner_id": b_id} if expect == "own" else None)
        elif path.endswith("/import"):
            r = await client.post(
                p,
                headers={**headers, "content-type": "text/csv"},
                content=b"code,zone,type\nEV-2,A,reserve\n",
            )
        else:
            r = await client.request(m, p, headers=headers, json=body)
        if expect == "own" and r.status_code == 403:  # this kind of login may not list it at all
            assert (who, path) == ("api_key", "/api/v1/api-keys"), path
        elif expect == "own":
            assert r.status_code == 200, (path, r.text)
            items = r.json()["items"]
            owner_ids = {i.get("owner_id", i.get("id")) for i in items}
            assert owner_ids <= {a_id}, (path, owner_ids)
            assert items, f"{path}: the owner's own data should be listed"
        else:
            assert r.status_code == expect, (who, method, path, r.status_code, r.text)
            assert r.json()["code"] in {"forbidden", "other_owner"}
    # and nothing of B's changed
    staff = await login(client, "supervisor")
    sku = (await client.get(f"/api/v1/skus/{world.skus[f'{B}-SKU0']}", headers=staff)).json()
    assert sku["name"] == "Item 0" and len(sku["barcodes"]) == 1
    assert (await client.get(f"/api/v1/stock/{world.stock[B]}", headers=staff)).json()["on_hand"] == 100
    b_order = (await client.get(f"/api/v1/orders/{world.outbound[B]['order']}", headers=staff)).json()
    assert b_order["status"] == "received" and b_order["hold_reason"] == "" and b_order["lines"][0]["qty"] == 1
    b_in = world.inbound[B]
    po = (await client.get(f"/api/v1/purchase-orders/{b_in['po']}", headers=staff)).json()
    assert po["status"] == "partially_received" and po["lines"][0]["qty_received"] == 20
    task = (await client.get(f"/api/v1/tasks/{b_in['task']}", headers=staff)).json()
    assert task["status"] == "open" and task["assignee_id"] is None and not task["override"]
    receipt = (await client.get(f"/api/v1/receipts/{b_in['receipt']}", headers=staff)).json()
    assert receipt["status"] == "open" and len(receipt["lines"]) == 1
    assert (await client.get("/api/v1/suppliers", headers=staff, params={"owner_id": world.owners[B]})).json()[
        "total"
    ] == 1


async def test_owner_can_use_its_own_data(client, world: World):
    headers = {"X-API-Key": world.api_keys[A]}
    r = await client.post("/api/v1/skus", headers=headers, json={"code": "MINE-1", "name": "Mine"})
    assert r.status_code == 201 and r.json()["owner_id"] == world.owners[A]
    r = await client.get(f"/api/v1/skus/{world.skus[f'{A}-SKU0']}", headers=headers)
    assert r.status_code == 200
    r = await client.get(f"/api/v1/stock/{world.stock[A]}", headers=headers)
    assert r.status_code == 200
    assert (await client.get("/api/v1/skus", headers={"X-API-Key": "wes_deadbeef_nope"})).status_code == 401


@pytest.mark.parametrize(
    ("user", "method", "path", "status"),
    [
        ("picker", "POST", "/api/v1/stock/adjustments", 403),
        ("picker", "GET", "/api/v1/users", 403),
        ("receiver", "POST", "/api/v1/owners", 403),
        ("supervisor", "POST", "/api/v1/users", 403),
    ],
)
async def test_roles_are_enforced_for_staff(client, world: World, user, method, path, status):
    headers = await login(client, user)
    r = await client.request(method, path, headers=headers, json={})
    assert r.status_code == status and r.json()["code"] == "forbidden"
