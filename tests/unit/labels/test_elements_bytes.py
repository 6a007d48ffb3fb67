"""Exact bytes of small elements: what we send is what the ZPL II manual says."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labels.elements import (
    Code128,
    GS1DataMatrix,
    QRCode,
    RenderContext,
    Rule,
    Text,
    TextBlock,
    code128_symbol,
    encode_code128,
    encode_gs1_128,
    escape_field_data,
    gs1_128_symbol,
    split_for_width,
    text_width_dots,
    wrap_text,
)
from labels.errors import LabelDataError, LayoutError, TextDoesNotFit
from labels.gs1 import ElementString
from labels.profiles import LabelSize, PrinterProfile, profile_for_dpi
from labels.render import LabelDocument, render, safe_comment

P203 = profile_for_dpi(203)
P300 = profile_for_dpi(300)
CTX203 = RenderContext(P203, 812, 1218)
CTX300 = RenderContext(P300, 1200, 1800)


def test_gs1_128_sscc_starts_in_subset_c_with_fnc1():
    encoded = encode_gs1_128(ElementString.of(("00", "106141410000123459")))
    assert encoded.zpl == ">;>800106141410000123459"
    assert encoded.symbols == 12  # start, FNC1, 10 digit pairs
    assert encoded.modules == 11 * 13 + 13


def test_gs1_128_fnc1_after_variable_field_and_subset_b_for_letters():
    es = ElementString.of(("01", "09501101530003"), ("37", "24"), ("10", "AB-12"))
    # (37) is variable: FNC1 before (10). The lot has letters: >6 to subset B, and we stay there.
    assert encode_gs1_128(es).zpl == ">;>80109501101530003" + "3724" + ">8" + "10" + ">6AB-12"


def test_gs1_128_odd_digit_run_switches_to_b_instead_of_dropping_a_digit():
    es = ElementString.of(("37", "5"), ("10", "7"))
    # "375": pair "37", then the single "5" cannot be in C -> >6; FNC1; "107" stays in B
    assert encode_gs1_128(es).zpl == ">;>837>65>8107"


def test_gs1_128_lot_with_greater_than_sign_uses_the_invocation_code():
    es = ElementString.of(("10", "A>B"))
    assert encode_gs1_128(es).zpl == ">;>810>6A>0B"


def test_plain_code128_uses_c_only_for_even_digits():
    assert encode_code128("12345678").zpl == ">;12345678"
    assert encode_code128("EA123456785CN").zpl == ">:EA123456785CN"
    assert encode_code128("1234567").zpl == ">:1234567"
    # '>', '^' and '~' are ZPL syntax: written as ^BC invocation codes >0, ><, >=
    assert encode_code128("A>B^C~D").zpl == ">:A>0B><C>=D"
    assert encode_code128("A>B^C~D").symbols == 8
    with pytest.raises(LabelDataError, match="tracking_number"):
        encode_code128("AB\u00e9", field="tracking_number")


def test_barcode_module_width_is_whole_dots_at_the_gs1_minimum():
    symbol = gs1_128_symbol(
        ElementString.of(("00", "106141410000123459")), y_mm=10, height_mm=20, field="sscc", hri_height_mm=0
    )
    assert symbol.to_zpl(CTX203) == "^FO94,80^BY4^BCN,160,N,N,N,N^FD>;>800106141410000123459^FS"
    assert symbol.to_zpl(CTX300) == "^FO132,118^BY6^BCN,236,N,N,N,N^FD>;>800106141410000123459^FS"


def test_code128_with_hri_text_block():
    symbol = code128_symbol("EA123456785CN", x_mm=10, y_mm=10, height_mm=10, field="t", hri_height_mm=3)
    assert symbol.to_zpl(CTX203) == (
        "^FO80,80^BY3^BCN,80,N,N,N,N^FD>:EA123456785CN^FS"
        "^FO50,168^A@N,24,24,E:CJKSANS.TTF^FB594,1,0,C,0^FH_^FDEA123456785CN^FS"
    )


def test_backslash_under_a_barcode_is_refused():
    symbol = code128_symbol("A\\B", y_mm=10, height_mm=10, field="sku")
    with pytest.raises(LabelDataError, match="sku: a backslash"):
        symbol.to_zpl(CTX203)


def test_module_wider_than_the_printer_allows_is_refused():
    symbol = gs1_128_symbol(ElementString.of(("00", "106141410000123459")), y_mm=10, height_mm=20, field="sscc")
    ctx600 = RenderContext(profile_for_dpi(600), 2400, 3600)
    with pytest.raises(LayoutError, match=r"sscc: needs a 0\.495 mm module = 12 dots at 600 dpi"):
        symbol.to_zpl(ctx600)
    ok = RenderContext(PrinterProfile("zt-600", 600, max_module_dots=12), 2400, 3600)
    assert "^BY12^" in symbol.to_zpl(ok)


def test_text_uses_the_profile_font_utf8_and_escapes_carets():
    text = Text(5, 5, "上海 ^~_ ok", 5, "ship_to.name")
    assert text.to_zpl(CTX203) == "^FO40,40^A@N,40,40,E:CJKSANS.TTF^FH_^FD上海 _5E_7E_5F ok^FS"


def test_text_that_does_not_fit_names_the_field():
    with pytest.raises(TextDoesNotFit, match="carrier"):
        Text(5, 5, "A very long carrier name indeed", 6, "carrier", max_width_mm=30).to_zpl(CTX203)


def test_text_block_breaks_lines_itself_and_sends_them_with_fb():
    block = TextBlock(4, 40, 40, "上海市浦东新区张江高科技园区碧波路690号", 4, 3, "ship_to.lines")
    lines = block.lines(CTX203)
    assert len(lines) == 2
    assert "".join(lines) == "上海市浦东新区张江高科技园区碧波路690号"
    assert block.to_zpl(CTX203) == (f"^FO32,320^A@N,32,32,E:CJKSANS.TTF^FB320,3,4,L,0^FH_^FD{lines[0]}\\&{lines[1]}^FS")


def test_text_block_overflow_and_backslash_are_refused():
    with pytest.raises(TextDoesNotFit, match=r"ship_to.lines: needs \d+ lines"):
        TextBlock(4, 40, 40, "碧波路" * 20, 4, 3, "ship_to.lines").lines(CTX203)
    with pytest.raises(LabelDataError, match="backslash"):
        TextBlock(4, 40, 40, "a\\b", 4, 3, "ship_to.lines").to_zpl(CTX203)


def test_wrap_breaks_latin_at_spaces_and_long_words_anywhere():
    assert wrap_text("Acme Trading Company", 40, 320) == ["Acme Trading", "Company"]
    assert all(len(line) <= 8 for line in wrap_text("X" * 30, 40, 240))


def test_escape_rejects_control_characters():
    assert escape_field_data("a_b") == "a_5Fb"
    with pytest.raises(ValueError, match="control character"):
        escape_field_data("a\x01b")


def test_qr_code_bytes():
    qr = QRCode(10, 20, "TRK:EA123456785CN", "qr", module_mm=0.5)
    assert qr.to_zpl(CTX203) == "^FO80,160^BQN,2,4^FDMA,TRK:EA123456785CN^FS"
    assert qr.to_zpl(CTX300) == "^FO118,236^BQN,2,6^FDMA,TRK:EA123456785CN^FS"


def test_gs1_datamatrix_bytes_use_fnc1_first_and_as_separator():
    es = ElementString.of(("01", "09501101530003"), ("10", "AB1"), ("21", "S9"), ("17", "261231"))
    dm = GS1DataMatrix(5, 5, es, "gtin")
    assert dm.to_zpl(CTX203) == "^FO40,40^BXN,4,200,0,0,6,_^FD_1010950110153000317261231" + "10AB1_121S9^FS"


def test_rule_and_document_envelope_exact_bytes():
    doc = LabelDocument("t^x", LabelSize.SIZE_2X1, (Rule(1, 1, 10, 0.25),))
    assert render(doc, P203) == (
        b"^XA^PW406^LL203^FXwes label t-x 2x1 zebra-203~SD15^PR5^LH0,0^CI28^FO8,8^GB80,2,2,B,0^FS^XZ"
    )


def test_comment_text_cannot_start_a_command():
    assert safe_comment("a^XZ~JR") == "a-XZ-JR"


def test_split_for_width_keeps_order_and_fits_four_inches():
    es = ElementString.of(("02", "09501101530003"), ("17", "270531"), ("37", "48"), ("10", "L2611A7X"))
    groups = split_for_width(es, LabelSize.SIZE_4X6.width_mm)
    assert [ai for g in groups for ai, _ in g.elements] == ["02", "17", "37", "10"]
    assert len(groups) >= 2
    for group in groups:
        symbol = gs1_128_symbol(group, y_mm=10, height_mm=10, field="c")
        assert symbol.clear(CTX203).inside(812, 1218)
        assert symbol.clear(CTX300).inside(1200, 1800)


def test_layout_refuses_barcode_off_the_label_and_ink_in_its_quiet_zone():
    off = code128_symbol("ABCDEFGHIJKLMNOPQRSTUVWXYZ", y_mm=5, height_mm=10, field="tracking_number")
    with pytest.raises(LayoutError, match=r"tracking_number: drawn at dots .* outside the 812x406"):
        render(LabelDocument("x", LabelSize.SIZE_4X2, (off,)), P203)
    crowded = (
        code128_symbol("ABC123", y_mm=5, height_mm=10, field="lpn"),
        Text(48, 8, "x", 3, "note"),
    )
    with pytest.raises(LayoutError, match="lpn: quiet zone of the barcode is crossed by note"):
        render(LabelDocument("x", LabelSize.SIZE_4X2, crowded), P203)


def test_code128_subclass_is_frozen():
    symbol = code128_symbol("ABC", y_mm=1, height_mm=1, field="f")
    assert isinstance(symbol, Code128)
    with pytest.raises(AttributeError):
        symbol.data = "x"  # type: ignore[misc]


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="上海市浦东新区路号 abcXYZ0123456789-,.()", min_size=1, max_size=120),
    st.integers(min_value=16, max_value=60),
    st.integers(min_value=100, max_value=800),
)
def test_wrap_text_keeps_every_character_and_respects_the_width(text, height, width):
    lines = wrap_text(text, height, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        # a single character wider than the line is the only allowed overflow
        assert text_width_dots(line, height) <= width or len(line) == 1
