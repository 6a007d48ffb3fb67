"""Render every template with the offline renderer, decode every barcode, parse GS1 back with biip:
what is printed must scan to exactly what was meant."""

import datetime as dt

import pytest
from PIL import Image

from labels import render as render_module
from labels.elements import Text
from labels.errors import TextDoesNotFit
from labels.gs1 import gs1_date
from labels.preview import render_image
from labels.profiles import LabelSize, profile_for_dpi
from labels.render import LabelDocument, render
from labels.samples import samples
from labels.templates import TEMPLATES
from labels.templates.gs1_logistic import LogisticLabelData
from labels.templates.location import LocationData
from labels.templates.product import ProductData
from labels.templates.waybill import WaybillData
from tests.unit.labels.scanning import by_format, ink_outside, render_and_scan

DPIS = [203, 300]
ALL_DPIS = [203, 300, 600]  # GS1-128 labels cannot be compliant at 600 dpi (^BY max 10 dots)
SAMPLES = samples()


@pytest.mark.parametrize("dpi", DPIS)
def test_waybill_scans_to_tracking_sscc_and_qr_content(dpi):
    data = WaybillData.model_validate(SAMPLES["waybill"])
    _, image, scans = render_and_scan(TEMPLATES["waybill"].build(data), profile_for_dpi(dpi))
    code128 = by_format(scans, "Code 128")
    tracking = [s for s in code128 if s.symbology == "]C0"]
    gs1 = [s for s in code128 if s.symbology == "]C1"]
    assert [s.text for s in tracking] == ["EA123456785CN"]
    assert len(gs1) == 1 and gs1[0].content_type == "ContentType.GS1"
    assert gs1[0].gs1() == {"00": "106141410000123459"}
    qr = by_format(scans, "QR Code")
    assert [s.text for s in qr] == [data.qr_content()]
    assert "TRK:EA123456785CN" in qr[0].text and "SSCC:106141410000123459" in qr[0].text
    assert len(scans) == 3
    assert image.size == (
        profile_for_dpi(dpi).width_dots(LabelSize.SIZE_4X6),
        profile_for_dpi(dpi).length_dots(LabelSize.SIZE_4X6),
    )


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize(
    ("lot", "count", "expiry"),
    [("L2611A7", 48, dt.date(2027, 5, 31)), ("B2026-11XY", 1200, dt.date(2026, 12, 1)), (None, 5, None)],
)
def test_gs1_logistic_label_scans_to_sscc_gtin_count_lot_expiry(dpi, lot, count, expiry):
    data = LogisticLabelData.model_validate(SAMPLES["gs1_logistic"] | {"lot": lot, "count": count, "expiry": expiry})
    _, _, scans = render_and_scan(TEMPLATES["gs1_logistic"].build(data), profile_for_dpi(dpi))
    gs1 = [s for s in by_format(scans, "Code 128") if s.symbology == "]C1"]
    assert len(gs1) == len(scans) >= 2  # every symbol on the label is GS1-128
    read: dict[str, str] = {}
    for scan in gs1:
        assert scan.content_type == "ContentType.GS1"
        parsed = scan.gs1()
        assert not set(parsed) & set(read), "an AI is printed twice"
        read |= parsed
    expected = {"00": "106141410000123459", "02": "09501101530003", "37": str(count)}
    if lot:
        expected["10"] = lot
    if expiry:
        expected["17"] = gs1_date(expiry)
    assert read == expected


def test_gs1_logistic_lot_too_long_for_a_compliant_symbol_is_refused_naming_the_field():
    data = LogisticLabelData.model_validate(SAMPLES["gs1_logistic"] | {"lot": "BATCH-2026-11-XYZ"})
    with pytest.raises(TextDoesNotFit, match=r"content\(10\): too long for one GS1-128 symbol"):
        TEMPLATES["gs1_logistic"].build(data)


@pytest.mark.parametrize("dpi", ALL_DPIS)
def test_lpn_label_scans(dpi):
    _, _, scans = render_and_scan(TEMPLATES["lpn"].build(SAMPLES["lpn"]), profile_for_dpi(dpi))
    assert [(s.format, s.text, s.symbology) for s in scans] == [("Code 128", "LPN0004711", "]C0")]


@pytest.mark.parametrize("dpi", ALL_DPIS)
@pytest.mark.parametrize("code", ["A-01-02-3", "Z-99-10-1", "BULK-07"])
def test_location_label_scans_and_shows_check_digits(dpi, code):
    data = LocationData(code=code, check_digits="47")
    _, image, scans = render_and_scan(TEMPLATES["location"].build(data), profile_for_dpi(dpi))
    assert [(s.format, s.text) for s in scans] == [("Code 128", code)]
    # the check digits are big: the box where they are printed holds a lot of ink
    profile = profile_for_dpi(dpi)
    box = image.crop((profile.dots(70), profile.dots(3), profile.dots(99), profile.dots(24)))
    assert _ink_ratio(box) > 0.10


@pytest.mark.parametrize("dpi", ALL_DPIS)
def test_product_label_scans_gtin_lot_expiry_from_datamatrix_and_sku(dpi):
    data = ProductData.model_validate(SAMPLES["product"])
    _, _, scans = render_and_scan(TEMPLATES["product"].build(data), profile_for_dpi(dpi))
    dm = by_format(scans, "Data Matrix")
    assert len(dm) == 1 and dm[0].symbology == "]d2" and dm[0].content_type == "ContentType.GS1"
    assert dm[0].gs1() == {"01": "09501101530003", "17": "270531", "10": "L2611A7"}
    assert [s.text for s in by_format(scans, "Code 128")] == ["TEA-500"]


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("name", list(TEMPLATES))
def test_nothing_is_drawn_outside_pw_and_ll(name, dpi):
    """Render without ^PW/^LL on a bigger canvas: every black pixel must be inside the label."""
    profile = profile_for_dpi(dpi)
    document = TEMPLATES[name].build(SAMPLES[name])
    width, length = profile.width_dots(document.size), profile.length_dots(document.size)
    assert not ink_outside(render(document, profile), profile, width, length)


def test_the_outside_check_sees_ink_off_the_label(monkeypatch):
    # bypass our own layout guard to prove the pixel check catches what it must
    monkeypatch.setattr(render_module, "check_layout", lambda document, ctx: None)
    profile = profile_for_dpi(203)
    document = LabelDocument("x", LabelSize.SIZE_4X2, (Text(99, 5, "overflowing", 5, "f", max_width_mm=50),))
    assert ink_outside(render_module.render(document, profile), profile, 812, 406)


def _ink_ratio(image: Image.Image) -> float:
    histogram = image.convert("L").point(lambda v: 255 if v < 128 else 0).histogram()
    return histogram[255] / (image.width * image.height)


def test_chinese_address_renders_real_glyphs():
    profile = profile_for_dpi(203)
    base = WaybillData.model_validate(SAMPLES["waybill"])

    def address_box(lines: list[str]) -> Image.Image:
        data = base.model_copy(update={"ship_to": base.ship_to.model_copy(update={"lines": lines, "city": "上海市"})})
        image = render_image(render(TEMPLATES["waybill"].build(data), profile), profile)
        # the wrapped address block: y 40.5-61 mm, full width
        return image.crop((profile.dots(4), profile.dots(40.5), profile.dots(98), profile.dots(61)))

    chinese = address_box(["上海市浦东新区张江高科技园区碧波路690号"])
    short = address_box(["路"])
    assert _ink_ratio(chinese) > 0.05
    assert _ink_ratio(short) < _ink_ratio(chinese) / 2  # the address, not a fixed box, makes the ink
    # equally long strings of different characters draw different pixels: real glyphs, not the same
    # missing-glyph box repeated (which would make these two images identical)
    shanghai = address_box(["上海"])
    beijing = address_box(["北京"])
    assert _ink_ratio(shanghai) > 0
    assert shanghai.tobytes() != beijing.tobytes()
