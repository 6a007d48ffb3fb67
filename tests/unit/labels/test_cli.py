import json
import socket
import threading

import pytest
from typer.testing import CliRunner

from labels.cli import app
from labels.samples import samples
from labels.templates import TEMPLATES
from tests.unit.labels.scanning import scan_image

runner = CliRunner()


def _data_file(tmp_path, name, data):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_samples_writes_zpl_png_and_json_for_every_template(tmp_path):
    result = runner.invoke(app, ["samples", "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    for name in TEMPLATES:
        zpl_bytes = (tmp_path / "s" / f"{name}.zpl").read_bytes()
        assert zpl_bytes.startswith(b"^XA") and zpl_bytes.endswith(b"^XZ")
        assert json.loads((tmp_path / "s" / f"{name}.json").read_text(encoding="utf-8")) == samples()[name]
        from PIL import Image

        assert scan_image(Image.open(tmp_path / "s" / f"{name}.png")), f"{name}.png has no barcode"
    assert "上海市浦东新区" in (tmp_path / "s" / "waybill.zpl").read_text(encoding="utf-8")


def test_samples_at_300_dpi(tmp_path):
    result = runner.invoke(app, ["samples", "--out", str(tmp_path), "--dpi", "300"])
    assert result.exit_code == 0, result.output
    assert b"^PW1200^LL1800" in (tmp_path / "waybill.zpl").read_bytes()


def test_print_to_file_and_preview(tmp_path):
    data = _data_file(tmp_path, "lpn", samples()["lpn"])
    out = tmp_path / "lpn.zpl"
    result = runner.invoke(app, ["print", "lpn", "--data", str(data), "--to", f"file://{out}"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"^XA^PW812^LL406")
    png = tmp_path / "lpn.png"
    result = runner.invoke(app, ["preview", "lpn", "--data", str(data), "--out", str(png)])
    assert result.exit_code == 0, result.output
    from PIL import Image

    assert [s.text for s in scan_image(Image.open(png))] == ["LPN0004711"]


def test_print_to_a_socket(tmp_path):
    data = _data_file(tmp_path, "location", samples()["location"])
    received: list[bytes] = []
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(10)
        port = server.getsockname()[1]

        def accept():
            conn, _ = server.accept()
            with conn:
                chunks = []
                while chunk := conn.recv(65536):
                    chunks.append(chunk)
                received.append(b"".join(chunks))

        thread = threading.Thread(target=accept)
        thread.start()
        result = runner.invoke(app, ["print", "location", "--data", str(data), "--to", f"tcp://127.0.0.1:{port}"])
        thread.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert received and received[0].startswith(b"^XA") and b"A-01-02-3" in received[0]


def _bad_waybill(**changes):
    data = json.loads(json.dumps(samples()["waybill"]))
    for key, value in changes.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    return data


@pytest.mark.parametrize(
    ("template", "data", "expected"),
    [
        ("waybill", _bad_waybill(ship_to=None), "error: ship_to: Field required"),
        (
            "product",
            samples()["product"] | {"gtin": "09501101530004"},
            "error: gtin: GTIN 09501101530004 has check digit 4, expected 3",
        ),
        (
            "waybill",
            _bad_waybill(
                ship_to=samples()["waybill"]["ship_to"] | {"lines": ["上海市浦东新区张江高科技园区碧波路690号" * 4]}
            ),
            "error: ship_to.lines: needs",
        ),
        ("waybill", _bad_waybill(sscc="106141410000123458"), "error: sscc: SSCC 106141410000123458 has check digit 8"),
        ("location", {"code": "a b"}, "error: code: String should match pattern"),
    ],
)
def test_bad_data_gives_one_line_naming_the_field_and_exit_2(tmp_path, template, data, expected):
    path = _data_file(tmp_path, "bad", data)
    result = runner.invoke(app, ["preview", template, "--data", str(path), "--out", str(tmp_path / "x.png")])
    assert result.exit_code == 2
    assert result.stderr.startswith(expected), result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.png").exists()


def test_unknown_template_bad_json_and_dead_printer_are_clear(tmp_path):
    path = _data_file(tmp_path, "lpn", samples()["lpn"])
    result = runner.invoke(app, ["print", "nope", "--data", str(path), "--to", "stdout"])
    assert result.exit_code == 2 and "unknown template 'nope'" in result.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    result = runner.invoke(app, ["print", "lpn", "--data", str(broken), "--to", "stdout"])
    assert result.exit_code == 2 and "is not valid JSON" in result.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = runner.invoke(
        app, ["print", "lpn", "--data", str(path), "--to", f"tcp://127.0.0.1:{port}", "--timeout", "1"]
    )
    assert result.exit_code == 2 and "connection refused" in result.stderr
    result = runner.invoke(app, ["print", "lpn", "--data", str(path), "--to", "stdout", "--dpi", "150"])
    assert result.exit_code == 2 and "150" in result.stderr


def test_samples_at_600_dpi_reports_what_cannot_be_compliant_and_writes_the_rest(tmp_path):
    # ZPL II: ^BY takes 1-10 dots; the GS1 X-dimension (0.495 mm) needs 12 at 600 dpi.
    result = runner.invoke(app, ["samples", "--out", str(tmp_path), "--dpi", "600"])
    assert result.exit_code == 2
    assert "error: waybill: sscc: needs a 0.495 mm module = 12 dots at 600 dpi" in result.stderr
    assert "Traceback" not in result.output
    assert (tmp_path / "lpn.zpl").read_bytes().startswith(b"^XA^PW2400^LL1200")
    assert (tmp_path / "location.png").exists() and (tmp_path / "product.png").exists()
    assert not (tmp_path / "waybill.zpl").exists()


def test_print_to_stdout_writes_the_zpl(tmp_path):
    data = _data_file(tmp_path, "product", samples()["product"])
    result = runner.invoke(app, ["print", "product", "--data", str(data), "--to", "stdout"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"^XA^PW406^LL203") and result.stdout_bytes.endswith(b"^XZ")


def test_preview_without_a_cjk_font_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("WES_LABEL_FONT", str(tmp_path / "missing.ttf"))
    data = _data_file(tmp_path, "lpn", samples()["lpn"])
    result = runner.invoke(app, ["preview", "lpn", "--data", str(data), "--out", str(tmp_path / "x.png")])
    assert result.exit_code == 2
    assert "fonts-wqy-microhei" in result.stderr and "WES_LABEL_FONT" in result.stderr
