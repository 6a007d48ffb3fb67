"""Returns (RMA) end to end over HTTP against PostgreSQL (a real two-process server): an order is picked, packed and
shipped (tests/shipping_helpers.py); its source authorises a return of some of its lines (unknown lines and
more than was shipped refused, another owner refused); the receiver finds the return by scanning its label or the
order, receives the items graded A (restocked through a putaway task), B (quarantined, a damaged-return exception)
and C (scrapped, with a ledger row); a unit more than authorised is refused; each receipt is a `return.received`
outbox event for the order source; `wes audit` holds."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.integration.test_concurrency import pg_world, server
from tests.inventory_helpers import GTIN, token
from tests.outbound_helpers import order_body, outbox_rows, receive
from tests.servers import wes_audit
from tests.shipping_helpers import pick_orders, setup_shipping, ship_orders
from tests.world import World, add_inbound

__all__ = ["pg_world", "server"]


def test_return_received_graded_restocked_and_recorded(
    server: str, pg_world: tuple[str, World], tmp_path: Path
) -> None:
    url, world = pg_world
    a = world.owners["OWNA"]
    asyncio.run(receive(url, a, world.skus["OWNA-SKU1"], world.locations["A-01-05-A"], 10))

    async def run() -> None:
        async with httpx.AsyncClient(base_url=server, timeout=180) as c:
            sup, receiver = await token(c, "supervisor"), await token(c, "receiver")
            api_a, api_b = {"X-API-Key": world.api_keys["OWNA"]}, {"X-API-Key": world.api_keys["OWNB"]}
            setup = await setup_shipping(c, world, sup, printer=f"file://{tmp_path}/labels.zpl")
            [order_id] = await pick_orders(
                c, world, [("OWNA", "RT-1", [("OWNA-SKU0", 3), ("OWNA-SKU1", 2)], {"carrier": "POST"})]
            )
            await ship_orders(c, world, [order_id], setup)
            # an order not shipped cannot be returned
            r = await c.post("/api/v1/orders", json=order_body(world, "RT-OPEN", [("OWNA-SKU0", 1)]), headers=api_a)
            r = await c.post(
                "/api/v1/returns", json={"order_id": r.json()["id"], "lines": [{"line_no": 1, "qty": 1}]}, headers=api_a
            )
            assert r.status_code == 409 and r.json()["code"] == "order_not_shipped", r.text
            # unknown lines and more than was shipped: refused whole, every problem listed
            r = await c.post(
                "/api/v1/returns",
                json={
                    "channel": "web",
                    "channel_order_id": "RT-1",
                    "lines": [{"line_no": 9, "qty": 1}, {"sku": "OWNA-SKU0", "qty": 4}],
                },
                headers=api_a,
            )
            assert r.status_code == 422 and r.json()["code"] == "invalid_return", r.text
            assert len(r.json()["errors"]) == 2
            # another owner may not return this order
            r = await c.post(
                "/api/v1/returns",
                json={"order_id": order_id, "owner_id": a, "lines": [{"line_no": 1, "qty": 1}]},
                headers=api_b,
            )
            assert r.status_code == 403 and r.json()["code"] == "other_owner", r.text
            r = await c.post(
                "/api/v1/returns",
                json={
                    "order_id": order_id,
                    "number": "RMA-T1",
                    "reason": "customer changed mind",
                    "lines": [{"line_no": 1, "qty": 2}, {"sku": "OWNA-SKU1", "qty": 1}],
                },
                headers=api_a,
            )
            assert r.status_code == 201, r.text
            rma = r.json()
            assert rma["status"] == "authorised" and [ln["qty"] for ln in rma["lines"]] == [2, 1]
            # line 1: 3 shipped, 2 authorised: only 1 more can be authorised
            r = await c.post(
                "/api/v1/returns", json={"order_id": order_id, "lines": [{"line_no": 1, "qty": 2}]}, headers=api_a
            )
            assert r.status_code == 422 and "already returned or authorised" in r.json()["detail"], r.text
            assert (await c.get(f"/api/v1/returns/{rma['id']}", headers=api_b)).status_code == 403
            assert (await c.get("/api/v1/returns", headers=api_b)).json()["total"] == 0

            # receiving: find it by the return label or by the order
            for scan in ("RMA-T1", "RT-1"):
                r = await c.post(
                    "/api/v1/returns/lookup", json={"warehouse_id": world.warehouse_id, "scan": scan}, headers=receiver
                )
                assert r.status_code == 200 and r.json()["id"] == rma["id"], r.text
            recv = f"/api/v1/returns/{rma['id']}/receive"
            r = await c.post(
                recv,
                json={"item": GTIN["OWNA-SKU0"], "qty": 1, "grade": "A"},
                headers={**receiver, "Idempotency-Key": "ret-1"},
            )
            assert r.status_code == 200, r.text
            r = await c.post(
                recv,
                json={"item": GTIN["OWNA-SKU0"], "qty": 1, "grade": "B", "note": "box crushed"},
                headers={**receiver, "Idempotency-Key": "ret-2"},
            )
            assert r.status_code == 200, r.text
            r = await c.post(recv, json={"item": GTIN["OWNA-SKU0"], "qty": 1, "grade": "A"}, headers=receiver)
            assert r.status_code == 409 and r.json()["code"] == "already_returned", r.text
            r = await c.post(recv, json={"item": GTIN["OWNA-SKU2"], "qty": 1, "grade": "A"}, headers=receiver)
            assert r.status_code == 409 and r.json()["code"] == "not_on_rma", r.text
            r = await c.post(
                recv,
                json={"item": GTIN["OWNA-SKU1"], "qty": 1, "grade": "C", "disposition": "restock"},
                headers=receiver,
            )
            assert r.status_code == 422 and r.json()["code"] == "invalid_disposition", r.text
            r = await c.post(
                recv, json={"item": GTIN["OWNA-SKU1"], "qty": 1, "grade": "C", "note": "shattered"}, headers=receiver
            )
            assert r.status_code == 200, r.text
            done = r.json()
            assert done["status"] == "received"
            assert [(x["grade"], x["disposition"]) for x in done["receipts"]] == [
                ("A", "restock"),
                ("B", "quarantine"),
                ("C", "scrap"),
            ]
            # grade A goes back to stock through a putaway task
            task_id = done["receipts"][0]["task_id"]
            task = (await c.get(f"/api/v1/tasks/{task_id}", headers=sup)).json()
            assert task["type"] == "putaway" and task["doc_ref"] == "RMA-T1" and task["to_location_code"]
            assert (await c.post(f"/api/v1/tasks/{task_id}/claim", headers=receiver)).status_code == 201
            r = await c.post(
                f"/api/v1/putaway-tasks/{task_id}/confirm",
                json={"location": task["to_location_code"]},
                headers=receiver,
            )
            assert r.status_code in (200, 201), r.text
            dest = (
                await c.get(
                    "/api/v1/stock",
                    params={"location_id": task["to_location_id"], "sku_id": world.skus["OWNA-SKU0"], "lpn": "RMA-T1"},
                    headers=sup,
                )
            ).json()["items"]
            assert [(s["status"], s["on_hand"]) for s in dest] == [("available", 1)]
            quarantined = (
                await c.get("/api/v1/stock", params={"lpn": "RMA-T1", "status": "quarantine"}, headers=sup)
            ).json()["items"]
            assert [s["on_hand"] for s in quarantined] == [1]
            ledger = (await c.get("/api/v1/movements", params={"doc_ref": "RMA-T1"}, headers=sup)).json()["items"]
            assert sorted(m["reason"] for m in ledger) == ["return", "return", "return", "scrap"]
            exc = (await c.get("/api/v1/exceptions", params={"kind": "return_damaged"}, headers=sup)).json()
            assert exc["total"] == 1

    asyncio.run(run())
    events = asyncio.run(outbox_rows(url, "return.received"))
    assert [(e["payload"]["sku"], e["payload"]["grade"], e["payload"]["disposition"]) for e in events] == [
        ("OWNA-SKU0", "A", "restock"),
        ("OWNA-SKU0", "B", "quarantine"),
        ("OWNA-SKU1", "C", "scrap"),
    ]
    assert {e["key"] for e in events} == {f"order:{events[0]['payload']['order_id']}"}
    assert events[-1]["payload"]["rma_status"] == "received" and events[0]["payload"]["channel_order_id"] == "RT-1"
    audit = wes_audit(url)
    assert audit.returncode == 0, audit.stdout + audit.stderr


def test_return_to_vendor_leaves_the_warehouse_on_an_rtv_document(
    server: str, pg_world: tuple[str, World], tmp_path: Path
) -> None:
    """Disposition `rtv`: the returned units are held in quarantine on the supplier's open vendor return (the
    supplier of the SKU's last purchase order, or the one named; none known is refused with nothing written);
    shipping the document takes them out of stock with ledger rows of reason `rtv` and no to-side, records a
    `vendor_return.shipped` outbox event, and cannot be done twice; held units are never allocated."""
    url, world = pg_world
    a = world.owners["OWNA"]
    world = asyncio.run(add_inbound(url, world))  # supplier SUP-OWNA, a purchase order of OWNA-SKU0
    supplier = world.inbound["OWNA"]["supplier"]
    asyncio.run(receive(url, a, world.skus["OWNA-SKU1"], world.locations["A-01-05-A"], 10))

    async def run() -> tuple[str, int]:
        async with httpx.AsyncClient(base_url=server, timeout=180) as c:
            sup, receiver = await token(c, "supervisor"), await token(c, "receiver")
            api_a = {"X-API-Key": world.api_keys["OWNA"]}
            setup = await setup_shipping(c, world, sup, printer=f"file://{tmp_path}/labels.zpl")
            [order_id] = await pick_orders(
                c, world, [("OWNA", "RTV-1", [("OWNA-SKU0", 2), ("OWNA-SKU1", 1)], {"carrier": "POST"})]
            )
            await ship_orders(c, world, [order_id], setup)
            r = await c.post(
                "/api/v1/returns",
                json={
                    "order_id": order_id,
                    "number": "RMA-V1",
                    "lines": [{"line_no": 1, "qty": 2}, {"line_no": 2, "qty": 1}],
                },
                headers=api_a,
            )
            assert r.status_code == 201, r.text
            rma = r.json()
            recv = f"/api/v1/returns/{rma['id']}/receive"
            # no purchase order names a supplier of SKU1: refused, nothing written
            r = await c.post(
                recv, json={"item": GTIN["OWNA-SKU1"], "qty": 1, "grade": "B", "disposition": "rtv"}, headers=receiver
            )
            assert r.status_code == 422 and r.json()["code"] == "supplier_required", r.text
            assert (await c.get(f"/api/v1/returns/{rma['id']}", headers=sup)).json()["receipts"] == []
            ledger = (await c.get("/api/v1/movements", params={"doc_ref": "RMA-V1"}, headers=sup)).json()
            assert ledger["items"] == []
            # SKU0: the supplier of its purchase order; SKU1: the supplier named
            r = await c.post(
                recv, json={"item": GTIN["OWNA-SKU0"], "qty": 2, "grade": "B", "disposition": "rtv"}, headers=receiver
            )
            assert r.status_code == 200, r.text
            r = await c.post(
                recv,
                json={"item": GTIN["OWNA-SKU1"], "qty": 1, "grade": "A", "disposition": "rtv", "supplier_id": supplier},
                headers=receiver,
            )
            assert r.status_code == 200 and r.json()["status"] == "received", r.text
            rtvs = (await c.get("/api/v1/vendor-returns", params={"status": "open"}, headers=sup)).json()
            assert rtvs["total"] == 1, rtvs
            rtv = rtvs["items"][0]
            assert rtv["supplier_id"] == supplier and rtv["status"] == "open"
            assert sorted((ln["sku_code"], ln["qty"]) for ln in rtv["lines"]) == [("OWNA-SKU0", 2), ("OWNA-SKU1", 1)]
            held = [(await c.get(f"/api/v1/stock/{ln['stock_id']}", headers=sup)).json() for ln in rtv["lines"]]
            assert {(s["status"], s["on_hand"]) for s in held} == {("hold", 2), ("hold", 1)}
            # held units are never allocated: an order for SKU1 takes only the 9 left on the shelf
            r = await c.post("/api/v1/orders", json=order_body(world, "RTV-NEW", [("OWNA-SKU1", 10)]), headers=api_a)
            r = await c.post(f"/api/v1/orders/{r.json()['id']}/allocate", params={"partial": "true"}, headers=sup)
            assert r.status_code in (200, 201, 409), r.text
            held = [(await c.get(f"/api/v1/stock/{ln['stock_id']}", headers=sup)).json() for ln in rtv["lines"]]
            assert [s["allocated"] for s in held] == [0, 0]

            # shipping the RTV: the units leave stock
            assert (
                await c.post(f"/api/v1/vendor-returns/{rtv['id']}/ship", json={}, headers=receiver)
            ).status_code == 403
            r = await c.post(
                f"/api/v1/vendor-returns/{rtv['id']}/ship",
                json={"carrier": "POST", "tracking": "RR123", "note": "damaged goods credit"},
                headers=sup,
            )
            assert r.status_code == 200 and r.json()["status"] == "shipped" and r.json()["tracking"] == "RR123", r.text
            r = await c.post(f"/api/v1/vendor-returns/{rtv['id']}/ship", json={}, headers=sup)
            assert r.status_code == 409 and r.json()["code"] == "rtv_shipped", r.text
            for ln in rtv["lines"]:
                assert (await c.get(f"/api/v1/stock/{ln['stock_id']}", headers=sup)).json()["on_hand"] == 0
            moves = (await c.get("/api/v1/movements", params={"doc_ref": rtv["number"]}, headers=sup)).json()["items"]
            assert sorted((m["reason"], m["qty"], m["to_location_id"], m["from_status"]) for m in moves) == [
                ("rtv", 1, None, "hold"),
                ("rtv", 2, None, "hold"),
            ]
            return str(rtv["number"]), int(rtv["id"])

    number, rtv_id = asyncio.run(run())
    [event] = asyncio.run(outbox_rows(url, "vendor_return.shipped"))
    assert event["owner_id"] == a and event["key"] == f"supplier:{supplier}"
    p = event["payload"]
    assert (p["rtv_id"], p["number"], p["supplier_code"], p["units"], p["tracking"]) == (
        rtv_id,
        number,
        "SUP-OWNA",
        3,
        "RR123",
    )
    received = asyncio.run(outbox_rows(url, "return.received"))
    assert [e["payload"]["disposition"] for e in received] == ["rtv", "rtv"]
    audit = wes_audit(url)
    assert audit.returncode == 0, audit.stdout + audit.stderr
