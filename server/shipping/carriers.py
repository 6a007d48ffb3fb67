"""The carrier adapter interface and its adapters: an offline table-rate carrier (UPU S10 numbers from an assigned
range) and an e-waybill aggregator in the style of the Chinese express-data platforms (Kdniao's form-encoded,
MD5-signed scheme; see shared/design/CARRIERS.md). The signing stays inside the aggregator adapter."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import httpx
import structlog

from server.errors import Conflict, InvalidInput
from server.settings import Settings
from server.shipping import rules
from server.shipping.models import Carrier, CarrierKind

log = structlog.get_logger("wes.carriers")
CHINA_TIME = ZoneInfo("Asia/Shanghai")  # the platforms' timestamps are Beijing time without an offset

EWAYBILL_ORDER = "1007"
TRACK_QUERY = "8001"


@dataclass(frozen=True, slots=True)
class WaybillRequest:
    """One carton to get a waybill for. ``order_code`` is stable for the carton, so a retry after a time-out gets
    the same number back instead of a second one."""

    order_code: str
    service: str
    weight_kg: Decimal
    ship_from: dict[str, Any]
    ship_to: dict[str, Any]
    order_reference: str
    piece: int = 1
    pieces: int = 1
    goods: str = "goods"


@dataclass(frozen=True, slots=True)
class Waybill:
    tracking_number: str
    sort_code: str = ""
    template: str = ""  # the platform's printable template when it returns one (HTML), else ''


@dataclass(frozen=True, slots=True)
class Trace:
    tracking_number: str
    state: str  # a ShipmentStatus value
    at: datetime
    station: str = ""


@dataclass
class TraceBatch:
    traces: list[Trace] = field(default_factory=list)


class CarrierAdapter(Protocol):
    """What the shipping service needs of a carrier, whatever talks to it."""

    def quote(self, weight_kg: Decimal, country: str, postcode: str) -> Decimal:
        """Price of one parcel (before the service's factor)."""
        ...  # a Protocol: the adapters below implement it

    async def create_waybill(self, request: WaybillRequest) -> Waybill:
        """A tracking number (and the carrier's sort code / template) for one carton."""
        ...  # a Protocol: the adapters below implement it

    async def track(self, tracking_numbers: list[str]) -> list[Trace]:
        """The current traces of these numbers ([] when the carrier has no tracking to ask)."""
        ...  # a Protocol: the adapters below implement it


class TableRateCarrier:
    """Offline: rates by weight band and zone from ``config``; tracking numbers from the carrier's assigned S10
    range. The caller holds the carrier row locked (``FOR UPDATE``) so two closes never take the same number."""

    def __init__(self, carrier: Carrier) -> None:
        self.carrier = carrier

    def quote(self, weight_kg: Decimal, country: str, postcode: str) -> Decimal:
        return rules.table_rate(self.carrier.config, weight_kg, country, postcode)

    async def create_waybill(self, request: WaybillRequest) -> Waybill:
        rng = self.carrier.config.get("tracking") or {}
        first, last = int(rng.get("first", 1)), int(rng.get("last", 99_999_999))
        serial = rules.next_in_range(self.carrier.next_tracking_serial, first, last)
        self.carrier.next_tracking_serial = serial + 1
        number = rules.s10_number(str(rng.get("prefix", "EA")), serial, str(rng.get("suffix", "CN")))
        return Waybill(
            number,
            sort_code=str(
                rules.zone_for(
                    self.carrier.config.get("zones", {"*": "1"}),
                    str(request.ship_to.get("country", "")),
                    str(request.ship_to.get("postcode", "")),
                )
            ),
        )

    async def track(self, tracking_numbers: list[str]) -> list[Trace]:
        return []  # an offline carrier has no tracking service; its parcels move on by manifest only


class AggregatorError(Conflict):
    code = "carrier_refused"


def _china_time(text: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA_TIME).astimezone(UTC)
    except ValueError:
        return datetime.now(UTC)


def traces_of(item: dict[str, Any]) -> list[Trace]:
    """Our traces from one aggregator record ``{LogisticCode, State, Traces: [{AcceptTime, AcceptStation}]}``: the
    state goes with the newest trace; earlier traces are in transit."""
    number = str(item.get("LogisticCode", ""))
    state = rules.aggregator_state(str(item.get("State", "")))
    raw = [t for t in item.get("Traces") or [] if isinstance(t, dict)]
    if not number or state is None or not raw:
        return []
    out = [
        Trace(number, "in_transit", _china_time(str(t.get("AcceptTime", ""))), str(t.get("AcceptStation", "")))
        for t in raw
    ]
    last = out[-1]
    out[-1] = Trace(number, state, last.at, last.station)
    return out


class EWaybillAggregator:
    """Kdniao-style platform: one endpoint, form POST of RequestType, EBusinessID, RequestData (JSON text),
    DataType=2 and DataSign = base64(md5_hex(RequestData + AppKey)). Account and key come from settings."""

    def __init__(self, carrier: Carrier, settings: Settings) -> None:
        if not settings.ewaybill_url or not settings.ewaybill_app_key or not settings.ewaybill_business_id:
            raise InvalidInput(
                f"Carrier {carrier.code} uses the e-waybill platform, but WES_EWAYBILL_URL, "
                "WES_EWAYBILL_BUSINESS_ID and WES_EWAYBILL_APP_KEY are not all set.",
                code="carrier_not_configured",
            )
        self.carrier = carrier
        self.url = settings.ewaybill_url
        self.business_id = settings.ewaybill_business_id
        self.app_key = settings.ewaybill_app_key
        self.timeout = settings.ewaybill_timeout_s

    def quote(self, weight_kg: Decimal, country: str, postcode: str) -> Decimal:
        return rules.table_rate(self.carrier.config, weight_kg, country, postcode)  # the contract's rate card

    async def call(self, request_type: str, data: dict[str, Any]) -> dict[str, Any]:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        form = {
            "RequestType": request_type,
            "EBusinessID": self.business_id,
            "RequestData": text,
            "DataType": "2",
            "DataSign": rules.data_sign(text, self.app_key),
        }
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                r = await client.post(self.url, data=form)  # httpx URL-encodes each value once
        except httpx.TimeoutException as exc:
            raise Conflict(
                f"The e-waybill platform did not answer within {self.timeout:g} s. Try again: the same carton gets "
                "the same waybill number.",
                code="carrier_unavailable",
            ) from exc
        except httpx.HTTPError as exc:
            raise Conflict(f"The e-waybill platform cannot be reached: {exc}.", code="carrier_unavailable") from exc
        if r.status_code != 200:
            raise Conflict(f"The e-waybill platform answered HTTP {r.status_code}.", code="carrier_unavailable")
        try:
            reply: dict[str, Any] = r.json()
        except ValueError as exc:
            raise Conflict(
                "The e-waybill platform answered something that is not JSON.", code="carrier_unavailable"
            ) from exc
        if not reply.get("Success"):
            log.warning("ewaybill_refused", request_type=request_type, code=reply.get("ResultCode"))
            raise AggregatorError(
                f"The e-waybill platform refused the request (code {reply.get('ResultCode')}): "
                f"{reply.get('Reason') or 'no reason given'}.",
                result_code=str(reply.get("ResultCode", "")),
            )
        return reply

    async def create_waybill(self, request: WaybillRequest) -> Waybill:
        def person(a: dict[str, Any]) -> dict[str, Any]:
            return {
                "Name": a.get("name", ""),
                "Mobile": a.get("phone", "") or "00000000000",
                "ProvinceName": a.get("region", "") or a.get("city", ""),
                "CityName": a.get("city", ""),
                "ExpAreaName": a.get("district", ""),
                "Address": " ".join(str(a.get(k, "")) for k in ("line1", "line2") if a.get(k)),
                "PostCode": a.get("postcode", ""),
            }

        data = {
            "OrderCode": request.order_code,
            "ShipperCode": self.carrier.config.get("shipper_code", self.carrier.code),
            "PayType": int(self.carrier.config.get("pay_type", 1)),
            "ExpType": int(self.carrier.config.get("exp_type", 1)),
            "Sender": person(request.ship_from),
            "Receiver": person(request.ship_to),
            "Commodity": [{"GoodsName": request.goods}],
            "Weight": float(request.weight_kg),
            "Quantity": request.pieces,
            "Remark": request.order_reference,
            "IsReturnPrintTemplate": 1,
        }
        reply = await self.call(EWAYBILL_ORDER, data)
        order = reply.get("Order") or {}
        number = str(order.get("LogisticCode", ""))
        if not number:
            raise AggregatorError("The e-waybill platform gave no waybill number.")
        return Waybill(
            number,
            str(order.get("SortingCode", "") or order.get("MarkDestination", "")),
            str(reply.get("PrintTemplate", "")),
        )

    async def track(self, tracking_numbers: list[str]) -> list[Trace]:
        out: list[Trace] = []
        shipper = self.carrier.config.get("shipper_code", self.carrier.code)
        for number in tracking_numbers:
            reply = await self.call(TRACK_QUERY, {"OrderCode": "", "ShipperCode": shipper, "LogisticCode": number})
            out.extend(traces_of(reply))
        return out


def adapter_for(carrier: Carrier, settings: Settings) -> CarrierAdapter:
    """The adapter of a carrier's kind (room for direct carrier APIs later: one more entry)."""
    factories: dict[CarrierKind, Any] = {
        CarrierKind.TABLE_RATE: lambda: TableRateCarrier(carrier),
        CarrierKind.EWAYBILL: lambda: EWaybillAggregator(carrier, settings),
    }
    adapter: CarrierAdapter = factories[carrier.kind]()
    return adapter
