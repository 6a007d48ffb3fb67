"""Property test of the GS1-128 encoder: any valid element string, rendered and decoded, parses back
to the same AIs and values (odd digit runs, letters, FNC1 separators, '>' in a lot)."""

import io
import string

import biip
import zplkit
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from labels.elements import RenderContext, gs1_128_symbol
from labels.gs1 import ElementString, check_digit
from labels.profiles import profile_for_dpi

CSET82 = string.ascii_letters + string.digits + "!\"%&'()*+,-./:;<=>?_"


@st.composite
def element_strings(draw):
    body = draw(st.text("0123456789", min_size=13, max_size=13))
    pairs = [("01", body + str(check_digit(body)))]
    if draw(st.booleans()):
        pairs.append(("37", str(draw(st.integers(1, 99_999_999)))))
    if draw(st.booleans()):
        pairs.append(("21", draw(st.text(CSET82, min_size=1, max_size=12))))
    pairs.append(("10", draw(st.text(CSET82, min_size=1, max_size=12))))
    return ElementString.of(*pairs, reorder=draw(st.booleans()))


@settings(max_examples=40, deadline=None)
@given(element_strings())
def test_gs1_128_round_trip(es):
    # a wide canvas and a 2-dot module: this tests the encoding, not the 4 in layout
    ctx = RenderContext(profile_for_dpi(203), 4000, 200)
    symbol = gs1_128_symbol(es, x_mm=10, y_mm=2, height_mm=15, field="p", min_module_mm=0.2, hri_height_mm=0)
    zpl_bytes = f"^XA^PW4000^LL200{symbol.to_zpl(ctx)}^XZ".encode()
    document = zplkit.render(zpl_bytes, zplkit.Options(profile="specification", dpi=203, width=4000, height=200))
    image = Image.open(io.BytesIO(document.labels[0].png())).convert("L")
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    result = results[0]
    assert result.symbology_identifier == "]C1"
    message = biip.parse(result.symbology_identifier + result.bytes.decode("latin-1")).gs1_message
    assert message is not None
    assert [(e.ai.ai, e.value) for e in message.element_strings] == list(es.elements)
    # the module count we use for layout is the symbol's real width
    bars = image.point(lambda v: 255 if v < 128 else 0).getbbox()
    assert bars is not None
    assert bars[2] - bars[0] == symbol.encoded().modules * 2  # starts and ends with a bar


@settings(max_examples=25, deadline=None)
@given(st.text(string.printable[:95], min_size=1, max_size=20))
def test_plain_code128_round_trip_including_zpl_syntax_characters(data):
    from labels.elements import code128_symbol

    ctx = RenderContext(profile_for_dpi(203), 4000, 200)
    symbol = code128_symbol(data, x_mm=10, y_mm=2, height_mm=15, field="p", min_module_mm=0.2, hri_height_mm=0)
    zpl_bytes = f"^XA^PW4000^LL200{symbol.to_zpl(ctx)}^XZ".encode()
    document = zplkit.render(zpl_bytes, zplkit.Options(profile="specification", dpi=203, width=4000, height=200))
    image = Image.open(io.BytesIO(document.labels[0].png())).convert("L")
    results = zxingcpp.read_barcodes(image)
    assert [r.bytes.decode("latin-1") for r in results] == [data]
