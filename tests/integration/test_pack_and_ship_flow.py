"""Done-when of pack and ship: over HTTP against PostgreSQL with a two-process server, continuing the outbound
flow — picked orders are packed at a station with scans (one wrong item refused), the suggested carton used for one
order and overridden for another, labels printed to a socket printer the test starts and decoded back from their
rendered PNG, the e-waybill numbers drawn from a local aggregator, cartons loaded, the manifests closed, the orders
shipped with tracking numbers, `order.shipped` outbox rows written, a tracking push accepted, `wes audit` clean."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from labels.preview import render_image
from labels.profiles import profile_for_dpi
from server.shipping.rules import s10_valid
from tests.ewaybill_server import APP_KEY, BUSINESS_ID, FakeAggregator, push
from tests.integration.test_concurrency import pg_world
from tests.outbound_helpers import outbox_rows
from tests.servers import running_server, wes_audit
from tests.shipping_helpers import SocketPrinter, expected_weight, gtins, pack_order, pick_orders, setup_shipping, token
from tests.unit.labels.scanning import scan_image
from tests.world import World

__all__ = ["pg_world"]  # fixture used here


@pytest.fixture
def aggregator() -> Iterator[FakeAggregator]:
    fake = FakeAggregator()
    yield fake
    fake.close()


@pytest.fixture
def printer() -> Iterator[SocketPrinter]:
    p = SocketPrinter()
    yield p
    p.close()


@pytest.fixture
def ship_server(pg_world: tuple[str, World], aggregator: FakeAggregator) -> Iterator[str]:
    env = {
        "WES_EWAYBILL_URL": aggregator.url,
        "WES_EWAYBILL_BUSINESS_ID": BUSINESS_ID,
        "WES_EWAYBILL_APP_KEY": APP_KEY,
        "WES_EWAYBILL_TIMEOUT_S": "5",
    }
    with running_server(pg_world[0], workers=1, extra_env=env) as base:
        yield base


def _decode(zpl: bytes) -> dict[str, Any]:
    """Render a printed job as the printer would and read every barcode on it back."""
    image = render_image(zpl, profile_for_dpi(203))
    scans = scan_image(image)
    out: dict[str, Any] = {"code128": [], "gs1": {}, "qr": []}
    for s in scans:
        if s.symbology.startswith("]C1"):
            out["gs1"].update(s.gs1())
        elif s.format == "Code 128":
            out["code128"].append(s.text)
        elif s.format == "QR Code":
            out["qr"].append(s.text)
    return out


def test_pack_and_ship_end_to_end(
    ship_server: str, pg_world: tuple[str, World], printer: SocketPrinter, aggregator: FakeAggregator
) -> None:
    url, world = pg_world

    async def run() -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=ship_server, timeout=120) as c:
            sup = await token(c, "supervisor")
            setup = await setup_shipping(c, world, sup, printer=printer.uri, ewaybill=True)
            ids = await pick_orders(
                c,
                world,
                [
                    ("OWNA", "SHIP-1", [("OWNA-SKU0", 2)], {"carrier": "POST", "service": "EXPRESS"}),
                    ("OWNA", "SHIP-2", [("OWNA-SKU0", 1), ("OWNA-SKU2", 1)], {"carrier": "ZTO"}),
                    ("OWNB", "SHIP-3", [("OWNB-SKU0", 1)], {}),  # rate shopping chooses
                ],
            )
            packer = await token(c, "packer")
            # order 1 by hand: the tote, one wrong item refused, the suggested carton, a weighed close
            order = (await c.get(f"/api/v1/orders/{ids[0]}", headers=sup)).json()
            r = await c.post(
                "/api/v1/packing/start",
                json={"station_id": setup.station_id, "scan": order["tote"]},
                headers={**packer, "Idempotency-Key": "start-1"},
            )
            assert r.status_code == 200, r.text
            sh1 = r.json()
            assert sh1["carrier"] == "POST" and sh1["service"] == "EXPRESS"
            suggested = sh1["suggestion"][0]["carton"]
            codes = await gtins(c, sup, {world.skus["OWNA-SKU0"], world.skus["OWNA-SKU1"]})
            r = await c.post(
                f"/api/v1/shipments/{sh1['id']}/scans",
                json={"item": codes[world.skus["OWNA-SKU1"]]},
                headers={**packer, "Idempotency-Key": "scan-wrong"},
            )
            assert r.status_code == 422 and r.json()["code"] == "wrong_item", r.text
            for n in range(2):
                r = await c.post(
                    f"/api/v1/shipments/{sh1['id']}/scans",
                    json={"item": codes[world.skus["OWNA-SKU0"]]},
                    headers={**packer, "Idempotency-Key": f"scan-1-{n}"},
                )
                assert r.status_code == 200, r.text
            sh1 = r.json()
            carton = sh1["cartons"][0]
            assert carton["suggested"] is True
            types = {
                t["id"]: t["code"]
                for t in (await c.get(f"/api/v1/warehouses/{world.warehouse_id}/carton-types", headers=sup)).json()
            }
            assert types[carton["carton_type_id"]] == suggested
            weight = await expected_weight(c, sup, sh1, carton)
            r = await c.post(
                f"/api/v1/cartons/{carton['id']}/close",
                json={"weight_kg": str(weight)},
                headers={**packer, "Idempotency-Key": "close-1"},
            )
            assert r.status_code == 200 and r.json()["weight_ok"], r.text
            sh1 = r.json()["shipment"]
            # order 2: the packer overrides the suggestion with the large carton
            s2_start = (await c.get(f"/api/v1/orders/{ids[1]}", headers=sup)).json()
            assert s2_start["status"] == "picked"
            sh2 = await pack_order(c, setup, ids[1], packer=packer, carton_type="L")
            assert sh2["suggestion"][0]["carton"] != "L" and sh2["cartons"][0]["suggested"] is False
            assert sh2["carrier"] == "ZTO"
            sh3 = await pack_order(c, setup, ids[2], packer=packer)
            shipments = [sh1, sh2, sh3]
            cartons = [ct for sh in shipments for ct in sh["cartons"]]
            assert all(sh["order_status"] == "packed" for sh in shipments)
            # dispatch: every carton scanned onto the door by its SSCC, then each carrier's close-out
            for ct in cartons:
                r = await c.post(
                    "/api/v1/dispatch/load",
                    json={"warehouse_id": world.warehouse_id, "scan": f"(00){ct['sscc']}", "door": "DOOR-3"},
                    headers={**packer, "Idempotency-Key": f"load-{ct['id']}"},
                )
                assert r.status_code == 200 and r.json()["status"] == "loaded", r.text
            manifests = []
            for carrier in sorted({sh["carrier"] for sh in shipments}):
                r = await c.post(
                    "/api/v1/manifests", json={"warehouse_id": world.warehouse_id, "carrier": carrier}, headers=sup
                )
                assert r.status_code == 201, r.text
                assert r.json()["missing"] == []
                manifests.append(r.json())
            csv_text = (await c.get(f"/api/v1/manifests/{manifests[0]['id']}/manifest.csv", headers=sup)).text
            pdf = await c.get(f"/api/v1/manifests/{manifests[0]['id']}/manifest.pdf", headers=sup)
            orders = {
                o["id"]: o for o in (await c.get("/api/v1/orders", headers=sup, params={"limit": 50})).json()["items"]
            }
            final = [(await c.get(f"/api/v1/shipments/{sh['id']}", headers=sup)).json() for sh in shipments]
            return {
                "ids": ids,
                "cartons": cartons,
                "manifests": manifests,
                "csv": csv_text,
                "pdf": pdf,
                "orders": orders,
                "shipments": final,
            }

    out = asyncio.run(run())
    ids, cartons = out["ids"], out["cartons"]
    assert sum(m["cartons"] for m in out["manifests"]) == len(cartons) == 3
    assert all(out["orders"][i]["status"] == "shipped" for i in ids)
    assert all(sh["status"] == "handed_over" and sh["shipped_at"] for sh in out["shipments"])
    by_order = {sh["order_id"]: sh for sh in out["shipments"]}
    post_number = by_order[ids[0]]["cartons"][0]["tracking_number"]
    assert s10_valid(post_number) and post_number.startswith("EA")
    zto_numbers = {by_order[i]["cartons"][0]["tracking_number"] for i in ids[1:]}
    assert zto_numbers == set(aggregator.orders.values())  # the e-waybill numbers came from the platform
    assert out["pdf"].status_code == 200 and out["pdf"].content.startswith(b"%PDF")
    assert all(ct["tracking_number"] in (out["csv"] + "".join(zto_numbers)) for ct in cartons)

    # labels: two jobs per carton reached the socket printer; decoded from the rendered PNG they carry the SSCC
    # (GS1-128 AI 00), the content GTIN and count, and the tracking number (Code 128)
    assert len(printer.jobs) == 2 * len(cartons)
    decoded = [_decode(job) for job in printer.jobs]
    for ct in cartons:
        sscc_labels = [d for d in decoded if d["gs1"].get("00") == ct["sscc"]]
        assert len(sscc_labels) == 2, (ct["sscc"], decoded)  # the logistic label and the waybill
        assert any(ct["tracking_number"] in d["code128"] for d in sscc_labels), (ct, sscc_labels)
    assert any(f"TRK:{post_number}" in q for d in decoded for q in d["qr"])
    logistic = next(
        d for d in decoded if d["gs1"].get("00") == by_order[ids[0]]["cartons"][0]["sscc"] and "02" in d["gs1"]
    )
    assert logistic["gs1"]["37"] == "2"

    # the order source hears of each shipment with its tracking numbers
    shipped = asyncio.run(outbox_rows(url, "order.shipped"))
    assert sorted(e["payload"]["order_id"] for e in shipped) == sorted(ids)
    for e in shipped:
        numbers = [ct["tracking_number"] for ct in by_order[e["payload"]["order_id"]]["cartons"]]
        assert [x["tracking_number"] for x in e["payload"]["cartons"]] == numbers
        assert e["key"] == f"order:{e['payload']['order_id']}"

    # a tracking push from the platform over the network: accepted once, a repeat harmless
    number = sorted(zto_numbers)[0]
    item = {
        "ShipperCode": "ZTO",
        "LogisticCode": number,
        "State": "2",
        "Traces": [{"AcceptTime": "2026-11-28 19:00:00", "AcceptStation": "【杭州】运输中"}],
    }
    for _ in range(2):
        status, reply = push(f"{ship_server}/api/v1/tracking/push", [item])
        assert status == 200 and reply["Success"] is True, reply
    assert [e["payload"]["status"] for e in asyncio.run(outbox_rows(url, "shipment.status"))] == ["in_transit"]

    audit = wes_audit(url)
    assert audit.returncode == 0, audit.stdout + audit.stderr
