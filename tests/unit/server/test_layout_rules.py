from decimal import Decimal

import pytest

from server.layout.models import LocationType
from server.layout.rules import RectangularLayout, check_digits_for, generate_rectangular, parse_locations_csv


def test_check_digits_are_two_digits_and_stable():
    a = check_digits_for("WH1", "A-01-01-A")
    assert len(a) == 2 and a.isdigit()
    assert a == check_digits_for("WH1", "A-01-01-A")
    digits = {check_digits_for("WH1", f"A-01-{b:02d}-A") for b in range(1, 60)}
    assert len(digits) > 20  # spread, not a constant


def test_check_digits_depend_on_the_installation_secret():
    from server.layout import rules

    try:
        rules.configure_check_digit_key("site one")
        one = [check_digits_for("WH1", f"A-01-{b:02d}-A") for b in range(1, 30)]
        rules.configure_check_digit_key("site two")
        two = [check_digits_for("WH1", f"A-01-{b:02d}-A") for b in range(1, 30)]
    finally:
        rules.configure_check_digit_key("")
    assert one != two  # knowing the (public) algorithm and the code is not enough


def test_generator_builds_both_sides_levels_and_fixed_areas():
    layout = RectangularLayout(aisles=4, aisle_length_m=10, aisle_pitch_m=3, levels=2, zones=("A", "B"))
    specs = generate_rectangular(layout, "WH1")
    storage = [s for s in specs if s.aisle is not None]
    assert len(storage) == 4 * 10 * 2 * 2  # aisles x bays per side x sides x levels
    codes = {s.code for s in specs}
    assert len(codes) == len(specs)
    assert "A-01-01-A" in codes and "B-04-20-B" in codes
    first = next(s for s in specs if s.code == "A-01-01-A")
    assert first.type == LocationType.PICK_FACE and first.y_m == 0.5 and first.aisle == 0
    assert next(s for s in specs if s.code == "A-01-01-B").type == LocationType.RESERVE
    assert {s.type for s in specs if s.aisle is None} >= {LocationType.RECEIVING, LocationType.PACK_STATION}
    assert all(0 <= s.y_m <= 10 for s in storage)


def test_generator_leaves_middle_cross_aisle_free():
    layout = RectangularLayout(aisles=2, aisle_length_m=20, cross_aisles=3)
    ys = layout.bay_positions()
    assert all(abs(y - 10) >= 0.5 for y in ys)


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"aisles": 0, "aisle_length_m": 10}, "aisles"),
        ({"aisles": 2, "aisle_length_m": 10, "cross_aisles": 1}, "cross_aisles"),
        ({"aisles": 2, "aisle_length_m": 10, "depot_y": 3.0}, "depot"),
    ],
)
def test_generator_refuses_impossible_layouts(kwargs, problem):
    with pytest.raises(ValueError, match=problem):
        generate_rectangular(RectangularLayout(**kwargs), "WH1")


def test_csv_reports_every_bad_row_with_column_and_reason():
    text = (
        "code,zone,type,aisle,level,capacity_m3,check_digits\n"
        "A-01-01-A,A,pick_face,0,0,0.5,12\n"
        "A-01-01-A,A,reserve,0,1,0.5,\n"  # duplicate code
        "bad code!,A,reserve,x,0,-1,123\n"  # bad code, aisle, capacity, check digits
        "A-01-02-A,A,shelf,0,0,0.5,\n"  # unknown type
    )
    parsed = parse_locations_csv(text)
    got = {(e.row, e.column) for e in parsed.errors}
    assert (3, "code") in got
    assert {(4, "code"), (4, "aisle"), (4, "capacity_m3"), (4, "check_digits")} <= got
    assert (5, "type") in got
    assert "already on row 2" in next(e.message for e in parsed.errors if e.row == 3)


def test_csv_good_file_parses_values():
    parsed = parse_locations_csv("code,zone,type,aisle,y_m,max_kg\na-1,z,reserve,2,4.5,120\n")
    assert not parsed.errors
    (spec,) = parsed.specs
    assert spec.code == "A-1" and spec.zone == "Z" and spec.aisle == 2 and spec.y_m == 4.5
    assert spec.max_kg == Decimal(120)


def test_csv_missing_required_column_and_empty_file():
    assert parse_locations_csv("code,type\nA,reserve\n").errors[0].column == "zone"
    assert parse_locations_csv("code,zone,type\n").errors[0].message == "the file has a header row but no rows"
