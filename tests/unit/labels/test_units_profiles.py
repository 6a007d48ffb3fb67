import pytest

from labels.profiles import PROFILES, LabelSize, PrinterProfile, profile_for_dpi
from labels.units import dots_to_mm, inches_to_dots, mm_to_dots, mm_to_dots_at_least


def test_label_sizes_in_dots_at_203_dpi_match_the_zpl_manual():
    p = profile_for_dpi(203)
    assert (p.width_dots(LabelSize.SIZE_4X6), p.length_dots(LabelSize.SIZE_4X6)) == (812, 1218)
    assert (p.width_dots(LabelSize.SIZE_4X2), p.length_dots(LabelSize.SIZE_4X2)) == (812, 406)
    assert (p.width_dots(LabelSize.SIZE_2X1), p.length_dots(LabelSize.SIZE_2X1)) == (406, 203)


@pytest.mark.parametrize(("dpi", "width", "length"), [(300, 1200, 1800), (600, 2400, 3600)])
def test_label_sizes_at_higher_resolutions(dpi, width, length):
    p = profile_for_dpi(dpi)
    assert (p.width_dots(LabelSize.SIZE_4X6), p.length_dots(LabelSize.SIZE_4X6)) == (width, length)


def test_mm_to_dots_is_always_a_whole_number_and_rounds_half_up():
    assert mm_to_dots(25.4, 203) == 203
    assert mm_to_dots(10, 203) == 80  # 79.92
    assert mm_to_dots(0.5 * 25.4 / 203, 203) == 1  # exactly half a dot rounds up
    assert isinstance(mm_to_dots(3.3, 300), int)
    assert inches_to_dots(4, 203) == 812
    assert dots_to_mm(203, 203) == pytest.approx(25.4)


def test_minimum_sizes_round_up_so_gs1_x_dimension_holds():
    # 0.495 mm minimum X-dimension: ^BY4 at 203 dpi, ^BY6 at 300 dpi (LABEL-FACTS)
    assert mm_to_dots_at_least(0.495, 203) == 4
    assert mm_to_dots_at_least(0.495, 300) == 6
    assert dots_to_mm(4, 203) >= 0.495
    assert dots_to_mm(6, 300) >= 0.495


def test_profiles_are_data_and_validate():
    assert {p.dpi for p in PROFILES.values()} == {203, 300, 600}
    with pytest.raises(ValueError, match="dpi"):
        PrinterProfile("x", dpi=250)
    with pytest.raises(ValueError, match="darkness"):
        PrinterProfile("x", dpi=203, darkness=31)
    with pytest.raises(ValueError, match="font"):
        PrinterProfile("x", dpi=203, font="Arial")
    with pytest.raises(ValueError, match="no printer profile"):
        profile_for_dpi(150)
