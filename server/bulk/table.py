"""The one CSV reader and writer of every bulk import and export (locations, SKUs, orders, purchase orders, stock).

Pure: bytes in, rows and row errors out (and rows in, bytes out). No database and no framework here.

- Encodings: UTF-8 with or without a BOM, UTF-16 with a BOM (Excel's "Unicode text"), and GBK/GB18030 (what a
  Chinese Excel saves as "CSV"). ``auto`` tries them in that order; GB18030 is accepted only when the text reads
  as Chinese (so a Latin-1 file is refused with a reason instead of being imported as nonsense).
- Formula injection: a cell starting with ``= + - @`` (or a tab or carriage return) is refused on import with its
  row and column named, except plain numbers and phone numbers (``-5``, ``+86 21 5555 0101``), which no spreadsheet
  runs as a formula. Refused, not stored quoted: a stored ``'=...`` would change the value everywhere it is shown
  (labels, handhelds, channel feeds) and would come back changed from the next export. On export every such cell is
  neutralised with a leading ``'`` so opening the file in Excel or WPS runs nothing; an import takes that ``'`` off
  again (and then checks the cell like any other), so an export can be imported back.
- Limits: more rows than ``max_rows`` stops the reading with a 413 at once; the byte limit is the HTTP edge's.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from server.errors import InvalidInput, PayloadTooLarge

Encoding = Literal["auto", "utf-8", "utf-16", "gbk", "gb18030"]
ExportEncoding = Literal["utf-8", "gb18030"]
ENCODINGS = ("auto", "utf-8", "utf-16", "gbk", "gb18030")
EXPORT_ENCODINGS = ("utf-8", "gb18030")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# a number or a phone number: digits, blanks, dots, dashes, slashes and brackets after one leading sign
_PLAIN_NUMBER = re.compile(r"^[+-]?[0-9][0-9 ()./-]*$|^[+-]?\.[0-9]+$")
_TRUE = {"true", "1", "yes", "y", "t", "是"}
_FALSE = {"false", "0", "no", "n", "f", "否"}
FIELD_LIMIT = 10_000  # characters in one cell: more is not a spreadsheet cell but an attack or a broken file


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of a file: ``row`` as a spreadsheet shows it (the header is row 1), the column, and why."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True, slots=True)
class Row:
    n: int  # the row number a spreadsheet shows (header = 1)
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass
class Table:
    header: list[str]
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    encoding: str = "utf-8"


def problems(errors: Iterable[RowError]) -> list[dict[str, Any]]:
    """Errors sorted by row then column, as the problem reply lists them."""
    return [e.as_dict() for e in sorted(errors, key=lambda e: (e.row, e.column))]


def refuse(errors: Sequence[RowError], what: str = "file") -> InvalidInput:
    """The 422 for a file with bad rows: every problem listed, nothing imported."""
    rows = len({e.row for e in errors})
    return InvalidInput(
        f"{len(errors)} problem(s) on {rows} row(s) of the {what}; nothing was imported.",
        code="invalid_csv",
        errors=problems(errors),
    )


# -- decoding ----------------------------------------------------------------------------------------------------
def _reads_as_chinese(text: str) -> bool:
    """True when the non-ASCII characters of a GB18030 decoding are mostly common Chinese (GB2312) characters.

    Latin-1 or Windows-1252 bytes also decode as GB18030, but into rare characters outside GB2312 (an accented
    letter followed by an ASCII one makes a GBK extension character), so they fail this test."""
    wide = [c for c in text if ord(c) > 0x7F]
    if not wide:
        return True
    common = 0
    for c in wide:
        try:
            c.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(wide) >= 0.8


def decode(data: bytes, encoding: str = "auto") -> tuple[str, str]:
    """The file as text and the encoding it was read with; a 422 ``invalid_csv`` saying why when it cannot be."""
    enc = encoding.lower().replace("_", "-")
    if enc not in ENCODINGS:
        raise InvalidInput(
            f"Unknown encoding '{encoding}'; use one of {', '.join(ENCODINGS)}.",
            code="invalid_encoding",
        )
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")) and enc != "utf-16":
        raise InvalidInput("The file is not text (it holds NUL bytes); send a CSV file.", code="invalid_csv")
    if enc == "auto":
        if data.startswith(b"\xef\xbb\xbf"):
            enc = "utf-8"
        elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
            enc = "utf-16"
        else:
            try:
                return data.decode("utf-8"), "utf-8"
            except UnicodeDecodeError as exc:
                try:
                    text = data.decode("gb18030")
                except UnicodeDecodeError:
                    text = ""
                if text and _reads_as_chinese(text):
                    return text, "gb18030"
                raise InvalidInput(
                    f"The file is neither UTF-8 nor Chinese GBK/GB18030 text (byte {exc.start} cannot be read); "
                    "save it as 'CSV UTF-8', or name its encoding (encoding=...).",
                    code="invalid_csv",
                ) from exc
    codec = {"utf-8": "utf-8-sig", "gbk": "gb18030", "gb18030": "gb18030", "utf-16": "utf-16"}[enc]
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"The file is not {enc.upper()} text (byte {exc.start} cannot be read); save it as 'CSV UTF-8'.",
            code="invalid_csv",
        ) from exc
    if "\x00" in text:
        raise InvalidInput("The file is not text (it holds NUL characters); send a CSV file.", code="invalid_csv")
    return text.lstrip("\ufeff"), enc


# -- formulas ----------------------------------------------------------------------------------------------------
def is_formula(cell: str) -> bool:
    """Would a spreadsheet run this cell (or part of it) as a formula?"""
    if not cell or cell == "-":  # a lone dash is how spreadsheets say "none"
        return False
    for candidate in (cell, cell.lstrip(" ")):
        if candidate.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(candidate.strip()):
            return True
    return False


def neutralise(cell: str) -> str:
    """The cell as written to an export: a leading ``'`` when a spreadsheet would otherwise run it."""
    return "'" + cell if is_formula(cell) else cell


def _unquote(cell: str) -> str:
    """Take off the ``'`` an export put before a would-be formula."""
    return cell[1:] if cell.startswith("'") and is_formula(cell[1:]) else cell


def _formula_message(value: str) -> str:
    first = value.lstrip(" ")[:1]
    start = {"\t": "a tab", "\r": "a carriage return"}.get(first, f"'{first}'")
    return f"{value[:40]!r} would run as a spreadsheet formula (it starts with {start}); take that character off"


def truth(value: str) -> str:
    """A yes/no cell in the words a spreadsheet user writes (yes, 1, 是 ...) as ``true``/``false``; other text
    unchanged, for the schema to refuse."""
    v = value.strip().lower()
    return "true" if v in _TRUE else "false" if v in _FALSE else value


# -- reading -----------------------------------------------------------------------------------------------------
def read_table(
    data: bytes | str,
    *,
    columns: Sequence[str],
    required: Sequence[str],
    ignored: Sequence[str] = (),
    encoding: str = "auto",
    max_rows: int = 100_000,
) -> Table:
    """Read a CSV with a header row: known columns only, every cell checked for formulas, cells stripped.

    File-level problems (no header, unknown or missing columns) come back as errors on row 1 and no rows; bad cells
    as errors on their row. Blank lines are skipped. More than ``max_rows`` rows: a 413 at once."""
    if isinstance(data, bytes):
        text, used = decode(data, encoding)
    else:
        text, used = data.lstrip("\ufeff"), "utf-8"
    if not text.strip():
        raise InvalidInput("The file is empty: it needs a header row and at least one row.", code="invalid_csv")
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    table = Table(header=[], encoding=used)
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(FIELD_LIMIT)
    try:
        try:
            raw_header = next(reader)
        except csv.Error as exc:
            raise InvalidInput(f"The header row cannot be read as CSV: {exc}.", code="invalid_csv") from exc
        header = [h.strip().lstrip("\ufeff").lower() for h in raw_header]
        table.header = header
        known = set(columns) | set(ignored)
        unknown = [h for h in header if h and h not in known]
        missing = [c for c in required if c not in header]
        dupes = sorted({h for h in header if h and header.count(h) > 1})
        if unknown:
            table.errors.append(
                RowError(1, ",".join(unknown), f"unknown column; the columns are: {', '.join(columns)}")
            )
        if missing:
            table.errors.append(RowError(1, ",".join(missing), "required column missing from the header row"))
        if dupes:
            table.errors.append(RowError(1, ",".join(dupes), "column named twice in the header row"))
        if table.errors:
            return table
        n = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                table.errors.append(RowError(n + 1, "", f"cannot be read as CSV: {exc}"))
                return table
            n += 1
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(table.rows) >= max_rows:
                raise PayloadTooLarge(
                    f"The file has more than {max_rows} rows; split it into files of at most {max_rows} rows.",
                    code="too_many_rows",
                    max_rows=max_rows,
                )
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                table.errors.append(RowError(n, "", f"{len(cells)} cells but the header has {len(header)} columns"))
                continue
            record: dict[str, str] = {}
            formulas = [
                RowError(n, name, _formula_message(_unquote(raw)))
                for name, raw in zip(header, cells, strict=False)
                if name and name not in ignored and is_formula(_unquote(raw))
            ]
            if formulas:  # the row is refused as a whole; its other checks would only add noise
                table.errors.extend(formulas)
                continue
            for name, raw in zip(header, cells, strict=False):
                if name and name not in ignored:
                    record[name] = _unquote(raw).strip()
            table.rows.append(Row(n, record))
    finally:
        csv.field_size_limit(previous_limit)
    if not table.rows and not table.errors:
        table.errors.append(RowError(1, "", "the file has a header row but no rows"))
    return table


class Cells:
    """Typed reading of one row's cells; each bad value adds a :class:`RowError` and gives ``None``."""

    def __init__(self, row: Row, errors: list[RowError]) -> None:
        self.row = row
        self.errors = errors

    def bad(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row.n, column, message))

    def text(self, column: str, *, required: bool = False, max_length: int | None = None, upper: bool = False) -> str:
        value = self.row.get(column)
        if upper:
            value = value.upper()
        if required and not value:
            self.bad(column, "is empty")
        elif max_length is not None and len(value) > max_length:
            self.bad(column, f"may have at most {max_length} characters, has {len(value)}")
        return value

    def integer(
        self, column: str, *, default: int | None = None, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        value = self.row.get(column)
        if not value:
            return default
        try:
            n = int(value.replace(",", "").replace("_", "x"))
        except ValueError:
            try:  # Excel writes whole numbers as 12.0 now and then
                d = Decimal(value)
                if d != d.to_integral_value():
                    raise ValueError(value) from None
                n = int(d)
            except (InvalidOperation, ValueError):
                self.bad(column, f"'{value}' is not a whole number")
                return None
        if minimum is not None and n < minimum:
            self.bad(column, f"must be at least {minimum}, got {n}")
            return None
        if maximum is not None and n > maximum:
            self.bad(column, f"must be at most {maximum}, got {n}")
            return None
        return n

    def decimal(self, column: str, *, default: Decimal | None = None, minimum: Decimal | None = None) -> Decimal | None:
        value = self.row.get(column)
        if not value:
            return default
        try:
            d = Decimal(value)
        except InvalidOperation:
            self.bad(column, f"'{value}' is not a number")
            return None
        if not d.is_finite() or (minimum is not None and d < minimum):
            self.bad(column, f"must be a number of {minimum} or more, got '{value}'")
            return None
        return d

    def boolean(self, column: str, *, default: bool | None = None) -> bool | None:
        value = self.row.get(column).lower()
        if not value:
            return default
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        self.bad(column, f"'{value}' is not true/false (or yes/no, 1/0)")
        return None

    def day(self, column: str) -> date | None:
        value = self.row.get(column)
        if not value:
            return None
        for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"):
            try:
                return datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        self.bad(column, f"'{value}' is not a date (YYYY-MM-DD)")
        return None

    def moment(self, column: str) -> datetime | None:
        value = self.row.get(column)
        if not value:
            return None
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self.bad(column, f"'{value}' is not a date and time (ISO 8601, e.g. 2026-11-28T16:00:00+08:00)")
            return None


# -- writing -----------------------------------------------------------------------------------------------------
def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_table(header: Sequence[str], rows: Iterable[Sequence[Any]], encoding: str = "utf-8") -> bytes:
    """A CSV file for spreadsheets: every would-be formula neutralised; UTF-8 with a BOM (so Excel reads Chinese
    right) or GB18030 for older Chinese Excel."""
    if encoding not in EXPORT_ENCODINGS:
        raise InvalidInput(
            f"Unknown export encoding '{encoding}'; use one of {', '.join(EXPORT_ENCODINGS)}.",
            code="invalid_encoding",
        )
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell_text(v)) for v in row])
    text = buf.getvalue()
    if encoding == "gb18030":
        return text.encode("gb18030")
    return b"\xef\xbb\xbf" + text.encode("utf-8")
