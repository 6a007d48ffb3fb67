"""Pure pack-and-ship rules: weight tolerance, UPU S10 tracking numbers, table rates, rate shopping, cut-offs,
the e-waybill aggregator's signature. Plain values in and out; no framework, no database."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from server.errors import Conflict, InvalidInput

S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


# -- weight -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class WeightCheck:
    ok: bool
    expected_kg: Decimal
    measured_kg: Decimal
    allowed_kg: Decimal  # the largest difference accepted

    @property
    def difference_kg(self) -> Decimal:
        return self.measured_kg - self.expected_kg


def check_weight(
    expected_kg: Decimal, measured_kg: Decimal, *, tolerance_kg: Decimal, tolerance_pct: Decimal
) -> WeightCheck:
    """A carton's weight is right when it differs from the expected (tare + units) by no more than the larger of
    the absolute and the relative tolerance."""
    if measured_kg <= 0:
        raise InvalidInput("Weigh the carton: the weight must be above 0 kg.", code="invalid_weight")
    allowed = max(tolerance_kg, (expected_kg * tolerance_pct / 100).quantize(Decimal("0.001")))
    return WeightCheck(abs(measured_kg - expected_kg) <= allowed, expected_kg, measured_kg, allowed)


# -- UPU S10 tracking numbers -----------------------------------------------------------------------------------
def s10_check_digit(serial: str) -> int:
    """The UPU S10 check digit of an 8-digit serial: weights 8 6 4 2 3 5 9 7, 11 - (sum mod 11); 10 -> 0, 11 -> 5."""
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError(f"an S10 serial has 8 digits, got {serial!r}")
    c = 11 - sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(c, c)


def s10_number(prefix: str, serial: int, suffix: str) -> str:
    """``AA12345678xCN``: service indicator, serial, check digit, ISO country of the issuing post."""
    if len(prefix) != 2 or not prefix.isalpha() or not prefix.isupper():
        raise ValueError(f"an S10 service indicator is two capital letters, got {prefix!r}")
    if len(suffix) != 2 or not suffix.isalpha() or not suffix.isupper():
        raise ValueError(f"an S10 country code is two capital letters, got {suffix!r}")
    body = f"{serial:08d}"
    return f"{prefix}{body}{s10_check_digit(body)}{suffix}"


def s10_valid(number: str) -> bool:
    return (
        len(number) == 13
        and number[:2].isalpha()
        and number[11:].isalpha()
        and number[2:11].isdigit()
        and s10_check_digit(number[2:10]) == int(number[10])
    )


def next_in_range(next_serial: int, first: int, last: int) -> int:
    """The serial to use from the carrier's assigned range; an exhausted range is a clear 409."""
    serial = max(next_serial, first)
    if serial > last:
        raise Conflict(
            f"The carrier's assigned tracking number range ({first}-{last}) is used up; ask the carrier for a new "
            "range and enter it in the carrier's settings.",
            code="tracking_range_exhausted",
        )
    return serial


# -- rates ------------------------------------------------------------------------------------------------------
def zone_for(zones: Mapping[str, str], country: str, postcode: str) -> str:
    """The rate zone of a destination: the longest matching ``COUNTRY:postcode-prefix`` key, then the country,
    then ``*``."""
    best = ""
    for key in zones:
        c, _, prefix = key.partition(":")
        if c == country and prefix and postcode.startswith(prefix) and len(key) > len(best):
            best = key
    if best:
        return zones[best]
    if country in zones:
        return zones[country]
    if "*" in zones:
        return zones["*"]
    raise InvalidInput(f"The carrier does not deliver to {country}.", code="no_zone")


def table_rate(config: Mapping[str, Any], weight_kg: Decimal, country: str, postcode: str) -> Decimal:
    """Price of one parcel: the first weight band (upper limits in kg, ascending) that holds it in the zone's
    table; above the last band, ``per_kg_over`` for each started kg over it."""
    zone = zone_for(config.get("zones", {}), country, postcode)
    bands: Sequence[Sequence[float]] = config.get("rates", {}).get(zone, [])
    if not bands:
        raise InvalidInput(f"The carrier has no rates for zone {zone}.", code="no_rate")
    for upto, price in bands:
        if weight_kg <= Decimal(str(upto)):
            return Decimal(str(price)).quantize(Decimal("0.01"))
    upto, price = bands[-1]
    over = weight_kg - Decimal(str(upto))
    per_kg = Decimal(str(config.get("per_kg_over", 0)))
    started = over.to_integral_value(rounding="ROUND_CEILING")
    return (Decimal(str(price)) + started * per_kg).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Quote:
    carrier: str
    service: str
    level: int  # 1 = fastest
    cost: Decimal
    cutoff: str  # HH:MM


def shop(quotes: Sequence[Quote], *, max_level: int | None = None) -> list[Quote]:
    """Quotes at least as fast as ``max_level``, cheapest first (then fastest, then by name)."""
    fit = [q for q in quotes if max_level is None or q.level <= max_level]
    return sorted(fit, key=lambda q: (q.cost, q.level, q.carrier, q.service))


def before_cutoff(now_local: datetime, cutoff: str) -> bool:
    """Whether a parcel handed over now still leaves today on a service with this cut-off (HH:MM)."""
    hh, _, mm = cutoff.partition(":")
    return now_local.time() <= time(int(hh), int(mm or 0))


def parse_cutoff(value: str) -> str:
    hh, sep, mm = value.partition(":")
    if not sep or not (hh.isdigit() and mm.isdigit()) or not (0 <= int(hh) < 24 and 0 <= int(mm) < 60):
        raise InvalidInput(f"A cut-off is a time HH:MM, got {value!r}.", code="invalid_cutoff")
    return f"{int(hh):02d}:{int(mm):02d}"


# -- the e-waybill aggregator's signature (Kdniao scheme, see CARRIERS.md) ----------------------------------------
def data_sign(request_data: str, app_key: str) -> str:
    """base64 of the lower-case hex MD5 of RequestData + AppKey (UTF-8); the form encoding URL-encodes it once."""
    digest = hashlib.md5((request_data + app_key).encode("utf-8"), usedforsecurity=False).hexdigest()
    return base64.b64encode(digest.encode("ascii")).decode("ascii")


def sign_matches(request_data: str, sign: str, app_key: str) -> bool:
    import hmac

    return hmac.compare_digest(data_sign(request_data, app_key), sign)


# Kdniao trace states: 0 no trace yet, 1 picked up, 2 in transit, 3 signed for, 4 problem; 5-6 forward/customs.
_STATES = {"1": "in_transit", "2": "in_transit", "3": "delivered", "4": "exception", "5": "in_transit"}


def aggregator_state(state: str) -> str | None:
    """Our shipment status for an aggregator trace state (None: nothing to record yet)."""
    return _STATES.get(str(state).strip()[:1]) if str(state).strip() else None


STATUS_ORDER = ("packing", "label_created", "handed_over", "in_transit", "delivered", "exception")


def advances(current: str, new: str) -> bool:
    """A tracking update moves a shipment forward only; an exception may come at any time after hand-over, and
    a delivery after an exception."""
    if current == new:
        return False
    if new == "exception":
        return current in ("handed_over", "in_transit")
    if current == "exception":
        return new == "delivered"
    return STATUS_ORDER.index(new) > STATUS_ORDER.index(current)
