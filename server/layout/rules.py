"""Pure layout rules: location codes and check digits, CSV validation, the rectangular generator.

No database and no framework here; the services turn these plain values into rows.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import string
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from server.bulk.table import Cells, RowError, read_table
from server.layout.models import LocationType

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-_.]{0,31}$")
LEVEL_LETTERS = string.ascii_uppercase


_CHECK_DIGIT_KEY = hashlib.sha256(b"wes check digits: unconfigured").digest()


def configure_check_digit_key(secret: str) -> None:
    """Key the check digits with the installation's secret (``WES_SECRET_KEY``), set once at start-up."""
    global _CHECK_DIGIT_KEY
    _CHECK_DIGIT_KEY = hashlib.sha256(b"wes check digits:" + secret.encode()).digest()


def check_digits_for(warehouse_code: str, location_code: str) -> str:
    """Two check digits for a location label.

    A keyed hash (HMAC with the installation's secret), not a random draw, so that re-importing or re-generating
    a layout gives the same digits and the labels already on the racks stay valid; and keyed, so that nobody can
    work them out from the code (this code is public): the picker must be standing at the location to read them.
    """
    digest = hmac.new(_CHECK_DIGIT_KEY, f"{warehouse_code}/{location_code}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 100:02d}"


def location_code(zone: str, aisle: int, bay: int, level: int) -> str:
    """``A-03-12-B``: zone A, aisle 03 (1-based on the label), bay 12, level B (A is the floor)."""
    return f"{zone}-{aisle + 1:02d}-{bay:02d}-{LEVEL_LETTERS[level]}"


@dataclass(slots=True)
class LocationSpec:
    """One location as plain values, before it becomes a row."""

    code: str
    zone: str
    type: LocationType
    aisle: int | None = None
    bay: int | None = None
    level: int = 0
    position: str = ""
    x_m: float = 0.0
    y_m: float = 0.0
    capacity_units: int = 0
    capacity_m3: Decimal = Decimal(0)
    max_kg: Decimal = Decimal(0)
    check_digits: str | None = None
    owner: str | None = None
    active: bool = True


CSV_COLUMNS = (
    "code",
    "zone",
    "type",
    "aisle",
    "bay",
    "level",
    "position",
    "x_m",
    "y_m",
    "capacity_units",
    "capacity_m3",
    "max_kg",
    "check_digits",
    "owner",
    "active",
)
REQUIRED_COLUMNS = ("code", "zone", "type")
MAX_COORDINATE_M = 100_000


@dataclass
class CsvParse:
    specs: list[LocationSpec] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def parse_locations_csv(data: bytes | str, *, encoding: str = "auto", max_rows: int = 100_000) -> CsvParse:
    """Read a locations CSV and report every bad row; the caller imports nothing when ``errors`` is not empty.

    Decoding, formula refusal and limits are the shared CSV core's (:mod:`server.bulk.table`)."""
    out = CsvParse()
    table = read_table(data, columns=CSV_COLUMNS, required=REQUIRED_COLUMNS, encoding=encoding, max_rows=max_rows)
    out.errors.extend(table.errors)
    seen: dict[str, int] = {}
    types = {t.value for t in LocationType}
    for row in table.rows:
        errs: list[RowError] = []
        cells = Cells(row, errs)
        code = row.get("code").upper()
        if not code:
            errs.append(RowError(row.n, "code", "is empty"))
        elif not CODE_RE.match(code):
            errs.append(RowError(row.n, "code", f"'{code}' may use only A-Z, 0-9, '-', '_', '.' (max 32)"))
        elif code in seen:
            errs.append(RowError(row.n, "code", f"'{code}' already on row {seen[code]}"))
        else:
            seen[code] = row.n
        zone = row.get("zone").upper()
        if not zone or not CODE_RE.match(zone) or len(zone) > 16:
            errs.append(RowError(row.n, "zone", f"'{zone}' is not a zone code"))
        ltype = row.get("type").lower()
        if ltype not in types:
            errs.append(RowError(row.n, "type", f"'{ltype}' is not one of {', '.join(sorted(types))}"))
        spec = LocationSpec(code=code, zone=zone, type=LocationType(ltype) if ltype in types else LocationType.RESERVE)
        spec.aisle = cells.integer("aisle", minimum=0)
        spec.bay = cells.integer("bay", minimum=0)
        spec.level = cells.integer("level", default=0, minimum=0) or 0
        spec.position = cells.text("position", max_length=8)
        for col in ("x_m", "y_m"):
            d = cells.decimal(col, minimum=Decimal(0))
            if d is not None:
                if d > MAX_COORDINATE_M:
                    cells.bad(col, f"must be at most {MAX_COORDINATE_M} m, got '{row.get(col)}'")
                else:
                    setattr(spec, col, float(d))
        spec.capacity_units = cells.integer("capacity_units", default=0, minimum=0) or 0
        for col in ("capacity_m3", "max_kg"):
            d = cells.decimal(col, minimum=Decimal(0))
            if d is not None:
                setattr(spec, col, d)
        cd = row.get("check_digits")
        if cd:
            if not re.fullmatch(r"\d{2}", cd):
                errs.append(RowError(row.n, "check_digits", f"'{cd}' must be exactly two digits"))
            spec.check_digits = cd
        spec.owner = row.get("owner") or None
        spec.active = cells.boolean("active", default=True) is not False
        out.errors.extend(errs)
        if not errs:
            out.specs.append(spec)
    return out


@dataclass(frozen=True, slots=True)
class RectangularLayout:
    """The rectangular warehouse of BENCH-FORMATS.md, plus how it is cut into bays and levels."""

    aisles: int
    aisle_length_m: float
    aisle_pitch_m: float = 3.0
    cross_aisles: int = 2
    depot_x: float = 0.0
    depot_y: float = 0.0
    bay_width_m: float = 1.0
    levels: int = 2
    zones: tuple[str, ...] = ("A",)

    def validate(self) -> list[str]:
        problems = []
        if self.aisles < 1:
            problems.append("aisles must be at least 1")
        if self.aisle_length_m <= 0 or self.aisle_pitch_m <= 0 or self.bay_width_m <= 0:
            problems.append("aisle_length_m, aisle_pitch_m and bay_width_m must be positive")
        if self.cross_aisles < 2:
            problems.append("cross_aisles must be at least 2 (front and back)")
        if not 1 <= self.levels <= len(LEVEL_LETTERS):
            problems.append("levels must be between 1 and 26")
        if not self.zones or len(self.zones) > self.aisles:
            problems.append("give between 1 and `aisles` zone codes")
        if self.depot_y != 0.0:
            problems.append("the depot stands on the front cross aisle (depot y = 0)")
        if self.aisle_length_m / self.bay_width_m > 99:
            problems.append("more than 99 bays per aisle side; widen bay_width_m")
        return problems

    def as_json(self) -> dict[str, Any]:
        """The BENCH-FORMATS ``layout`` object (what the optimizer reads)."""
        return {
            "aisles": self.aisles,
            "aisle_length_m": self.aisle_length_m,
            "aisle_pitch_m": self.aisle_pitch_m,
            "cross_aisles": self.cross_aisles,
            "depot": {"x": self.depot_x, "y": self.depot_y},
        }

    def bay_positions(self) -> list[float]:
        """Centre y (m) of each bay along an aisle, leaving out bays that would stand in a cross aisle."""
        n = int(self.aisle_length_m / self.bay_width_m + 1e-9)
        cross = [k * self.aisle_length_m / (self.cross_aisles - 1) for k in range(self.cross_aisles)]
        ys = []
        for b in range(n):
            y = round((b + 0.5) * self.bay_width_m, 3)
            if self.cross_aisles > 2 and any(abs(y - c) < self.bay_width_m / 2 for c in cross[1:-1]):
                continue
            ys.append(y)
        return ys


def generate_rectangular(
    layout: RectangularLayout,
    warehouse_code: str,
    *,
    pick_face_levels: int = 1,
    capacity_units: int = 200,
    capacity_m3: Decimal = Decimal("0.5"),
    max_kg: Decimal = Decimal(250),
) -> list[LocationSpec]:
    """Storage locations on both sides of every aisle, by bay and level, plus the fixed areas at the front.

    Bays are numbered along the aisle, odd on the left and even on the right; levels A (floor) upwards.
    Levels below ``pick_face_levels`` are pick faces, the rest reserve. Aisles are shared out over the zones
    in contiguous blocks.
    """
    problems = layout.validate()
    if problems:
        raise ValueError("; ".join(problems))
    specs: list[LocationSpec] = []
    per_zone = -(-layout.aisles // len(layout.zones))
    for a in range(layout.aisles):
        zone = layout.zones[min(a // per_zone, len(layout.zones) - 1)]
        x = a * layout.aisle_pitch_m
        for i, y in enumerate(layout.bay_positions()):
            for side, bay in (("L", 2 * i + 1), ("R", 2 * i + 2)):
                for level in range(layout.levels):
                    code = location_code(zone, a, bay, level)
                    specs.append(
                        LocationSpec(
                            code=code,
                            zone=zone,
                            type=LocationType.PICK_FACE if level < pick_face_levels else LocationType.RESERVE,
                            aisle=a,
                            bay=bay,
                            level=level,
                            position=side,
                            x_m=round(x + (-0.5 if side == "L" else 0.5) * layout.aisle_pitch_m / 2, 3),
                            y_m=y,
                            capacity_units=capacity_units,
                            capacity_m3=capacity_m3,
                            max_kg=max_kg if level == 0 else min(max_kg, Decimal(100)),
                            check_digits=check_digits_for(warehouse_code, code),
                        )
                    )
    front = layout.zones[0]
    # The fixed areas stand on the front cross aisle beside the depot.
    fixed = [
        ("DOCK-01", LocationType.DOCK),
        ("RCV-01", LocationType.RECEIVING),
        ("RCV-02", LocationType.RECEIVING),
        ("QC-01", LocationType.QUARANTINE),
        ("PACK-01", LocationType.PACK_STATION),
        ("PACK-02", LocationType.PACK_STATION),
        ("STAGE-01", LocationType.STAGING),
        ("SHIP-01", LocationType.SHIPPING),
    ]
    for i, (code, ltype) in enumerate(fixed):
        specs.append(
            LocationSpec(
                code=code,
                zone=front,
                type=ltype,
                level=0,
                x_m=layout.depot_x + i * 1.5,
                y_m=-2.0,
                check_digits=check_digits_for(warehouse_code, code),
            )
        )
    return specs
