"""`wes label ...`: print, preview and sample labels from the command line.

Bad data exits with code 2 and one line on stderr naming the field, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from labels.errors import LabelError, PreviewError, TransportError
from labels.preview import font_download, render_png
from labels.profiles import SUPPORTED_DPI, PrinterProfile, profile_for_dpi
from labels.render import LabelDocument, render
from labels.samples import samples as sample_data
from labels.templates import TEMPLATES, get_template
from labels.transports import send

app = typer.Typer(help="Labels: ZPL waybills, GS1 logistic, LPN, location and product labels.",
                  no_args_is_help=True)  # fmt: skip

TemplateArg = Annotated[str, typer.Argument(help=f"one of: {', '.join(TEMPLATES)}")]
DataOpt = Annotated[Path, typer.Option("--data", help="JSON file with the template's data")]
DpiOpt = Annotated[int, typer.Option("--dpi", help=f"printer resolution: {', '.join(map(str, SUPPORTED_DPI))}")]


class _Bad(Exception):
    """A user error: message printed as one line, exit code 2."""


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def _describe_validation(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "data"
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn every expected failure into one line on stderr and exit code 2."""
    try:
        yield
    except ValidationError as exc:
        _fail(_describe_validation(exc))
    except (LabelError, TransportError, PreviewError, _Bad) as exc:
        _fail(str(exc))
    except KeyError as exc:
        _fail(str(exc.args[0]) if exc.args else "unknown key")
    except ValueError as exc:  # bad dpi, bad profile values
        _fail(str(exc))


def _profile(dpi: int) -> PrinterProfile:
    return profile_for_dpi(dpi)


def _load(data: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(data.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _Bad(f"cannot read {data}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise _Bad(f"{data} is not valid JSON: {exc}") from exc
    if not isinstance(loaded, dict):
        raise _Bad(f"{data} must hold a JSON object")
    return loaded


def _document(template: str, data: Path) -> LabelDocument:
    return get_template(template).build(_load(data))


@app.command("print")
def print_label(
    template: TemplateArg,
    data: DataOpt,
    to: Annotated[str, typer.Option("--to", help="tcp://host:9100, file:///path.zpl or stdout")],
    dpi: DpiOpt = 203,
    timeout: Annotated[float, typer.Option(help="seconds to wait for the printer")] = 5.0,
) -> None:
    """Render TEMPLATE with the data in --data and send the ZPL to --to."""
    with _user_errors():
        zpl_bytes = render(_document(template, data), _profile(dpi))
        send(zpl_bytes, to, timeout=timeout)
    if to not in ("stdout", "-", "stdout:"):
        typer.echo(f"sent {template} ({len(zpl_bytes)} bytes) to {to}", err=True)


@app.command("preview")
def preview(
    template: TemplateArg,
    data: DataOpt,
    out: Annotated[Path, typer.Option("--out", help="PNG file to write")],
    dpi: DpiOpt = 203,
) -> None:
    """Render TEMPLATE offline to a PNG (one pixel per printer dot)."""
    with _user_errors():
        profile = _profile(dpi)
        png = render_png(render(_document(template, data), profile), profile)
        _write(out, png)
    typer.echo(f"wrote {out}", err=True)


@app.command("samples")
def samples(
    out: Annotated[Path, typer.Option("--out", help="folder for NAME.zpl, NAME.png and NAME.json")],
    dpi: DpiOpt = 203,
) -> None:
    """Write every template filled with sample data as NAME.zpl, NAME.png and NAME.json.

    A template that cannot be printed on this profile is reported and skipped; the exit code is then 2.
    """
    failed = False
    with _user_errors():
        profile = _profile(dpi)
    for name, data in sample_data().items():
        try:
            zpl_bytes = render(get_template(name).build(data), profile)
            _write(out / f"{name}.json", (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode())
            _write(out / f"{name}.zpl", zpl_bytes)
            _write(out / f"{name}.png", render_png(zpl_bytes, profile))
        except (LabelError, PreviewError, _Bad) as exc:
            typer.echo(f"error: {name}: {exc}", err=True)
            failed = True
            continue
        typer.echo(f"{name}: {out / name}.zpl .png .json")
    if failed:
        raise typer.Exit(code=2)


@app.command("templates")
def templates() -> None:
    """List the templates and their label sizes."""
    for name, template in TEMPLATES.items():
        typer.echo(f"{name:14} {template.description}")


@app.command("install-font")
def install_font(
    to: Annotated[str, typer.Option("--to", help="tcp://host:9100, file:///path or stdout")],
    dpi: DpiOpt = 203,
) -> None:
    """Store the preview's CJK TrueType font on a printer under the profile's font name (~DY)."""
    with _user_errors():
        send(font_download(_profile(dpi)), to)


def _write(path: Path, content: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as exc:
        raise _Bad(f"cannot write {path}: {exc.strerror or exc}") from exc
