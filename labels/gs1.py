"""GS1 helpers: check digits, GTIN validation, SSCC generation and element strings.

Element strings are checked twice: by our own AI table when built, and by parsing them back with `biip`
(an independent GS1 parser), so a mistake in one is caught by the other.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from biip.gs1_messages import GS1Message

from labels.errors import LabelDataError

GS = "\x1d"  # the separator a scanner transmits for FNC1 after a variable-length field

# GS1 "CSET 82": the characters allowed in alphanumeric AIs (lot, serial, ...).
_CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$")


def check_digit(digits: str) -> int:
    """GS1 mod-10 check digit of a digit string (weights 3,1,3,... from the right)."""
    if not digits.isdigit() or not digits.isascii():
        raise ValueError(f"digits only, got {digits!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def validate_gtin(gtin: str, field: str = "gtin") -> str:
    """Return `gtin` as a 14-digit GTIN (left-padded with zeros) or raise LabelDataError naming `field`.

    Accepts GTIN-8, -12, -13 and -14 and checks the check digit.
    """
    value = gtin.strip()
    if not value.isascii() or not value.isdigit() or len(value) not in (8, 12, 13, 14):
        raise LabelDataError(field, f"a GTIN has 8, 12, 13 or 14 digits, got {gtin!r}")
    expected = check_digit(value[:-1])
    if int(value[-1]) != expected:
        raise LabelDataError(field, f"GTIN {value} has check digit {value[-1]}, expected {expected}")
    return value.zfill(14)


def validate_sscc(sscc: str, field: str = "sscc") -> str:
    """Return `sscc` if it is 18 digits with a correct check digit, else raise LabelDataError."""
    if not sscc.isascii() or not sscc.isdigit() or len(sscc) != 18:
        raise LabelDataError(field, f"an SSCC has 18 digits, got {sscc!r}")
    expected = check_digit(sscc[:-1])
    if int(sscc[-1]) != expected:
        raise LabelDataError(field, f"SSCC {sscc} has check digit {sscc[-1]}, expected {expected}")
    return sscc


# --- serial reference sequences -------------------------------------------------------------------


class SerialSource(Protocol):
    """Hands out serial numbers that are never handed out twice."""

    def next_serial(self) -> int:
        """Return the next unused serial number (0, 1, 2, ...)."""
        ...  # a Protocol: the implementations are MemorySerialSource and FileSerialSource


class MemorySerialSource:
    """In-process sequence (tests, one-shot tools). Thread-safe; forgets everything at exit."""

    def __init__(self, start: int = 0) -> None:
        if start < 0:
            raise ValueError("start must be >= 0")
        self._next = start
        self._lock = threading.Lock()

    def next_serial(self) -> int:
        """Return the next serial number."""
        with self._lock:
            value = self._next
            self._next += 1
            return value


class FileSerialSource:
    """Sequence kept in a small text file, safe across processes and crashes.

    The file holds the next serial number. Each call takes an exclusive `flock` on a side lock file,
    reads the number, writes number + 1 to a temporary file, fsyncs it and renames it over the old one
    before returning. So a crash can skip a number but never hand one out twice.
    """

    def __init__(self, path: str | os.PathLike[str], start: int = 0) -> None:
        self.path = Path(path)
        self._start = start
        self._lock_path = self.path.with_name(self.path.name + ".lock")

    def next_serial(self) -> int:
        """Return the next serial number and durably advance the file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._lock_path, "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                value = self._read() if self.path.exists() else self._start
                tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
                with open(tmp, "w") as handle:
                    handle.write(f"{value + 1}\n")
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.path)
                # fsync the directory so the rename itself survives a power cut
                dir_fd = os.open(self.path.parent, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
                return value
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> int:
        text = self.path.read_text(encoding="ascii", errors="replace").strip()
        if not (text.isascii() and text.isdigit()):
            raise ValueError(
                f"serial file {self.path} is empty or corrupt ({text[:20]!r}); it must hold the next serial "
                "number. Restore it from a backup rather than restarting the sequence (SSCCs must never repeat)."
            )
        return int(text)


class SerialExhausted(Exception):
    """The serial reference space of a company prefix is used up; SSCCs must never wrap around."""


@dataclass
class SSCCGenerator:
    """Makes SSCCs: extension digit + GS1 company prefix + serial reference + check digit (18 digits)."""

    company_prefix: str
    extension_digit: int
    serials: SerialSource

    def __post_init__(self) -> None:
        if not (self.company_prefix.isascii() and self.company_prefix.isdigit()):
            raise ValueError(f"a GS1 company prefix has ASCII digits 0-9 only, got {self.company_prefix!r}")
        if not 6 <= len(self.company_prefix) <= 12:
            raise ValueError(f"a GS1 company prefix has 6-12 digits, got {self.company_prefix!r}")
        if not 0 <= self.extension_digit <= 9:
            raise ValueError(f"extension digit must be 0-9, got {self.extension_digit}")

    @property
    def serial_digits(self) -> int:
        """How many digits the serial reference has (16 minus the company prefix length)."""
        return 16 - len(self.company_prefix)

    def make(self, serial: int) -> str:
        """The SSCC (18 digits) for one serial reference number."""
        if not 0 <= serial < 10**self.serial_digits:
            raise SerialExhausted(
                f"serial {serial} does not fit in {self.serial_digits} digits for prefix {self.company_prefix}"
            )
        body = f"{self.extension_digit}{self.company_prefix}{serial:0{self.serial_digits}d}"
        return body + str(check_digit(body))

    def next(self) -> str:
        """The next SSCC from the serial source."""
        return self.make(self.serials.next_serial())


def sscc_hri(sscc: str) -> str:
    """Human-readable SSCC with its AI, grouped when the company prefix length is known from GS1.

    e.g. '(00) 1 0614141 000012345 9'.
    """
    parsed = GS1Message.parse_hri(f"(00){sscc}").element_strings[0].sscc
    if parsed is not None and parsed.company_prefix is not None:
        prefix = parsed.company_prefix.value
        serial = sscc[1 + len(prefix) : 17]
        return f"(00) {sscc[0]} {prefix} {serial} {sscc[17]}"
    return f"(00) {sscc}"


# --- element strings -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AIDefinition:
    """One GS1 Application Identifier we print: its data length and kind."""

    ai: str
    title: str
    length: int  # fixed length, or maximum length when `variable`
    variable: bool = False
    numeric: bool = True
    kind: str = "plain"  # plain | gtin | sscc | date


AIS: dict[str, AIDefinition] = {
    d.ai: d
    for d in (
        AIDefinition("00", "SSCC", 18, kind="sscc"),
        AIDefinition("01", "GTIN", 14, kind="gtin"),
        AIDefinition("02", "CONTENT", 14, kind="gtin"),
        AIDefinition("11", "PROD DATE", 6, kind="date"),
        AIDefinition("13", "PACK DATE", 6, kind="date"),
        AIDefinition("15", "BEST BEFORE", 6, kind="date"),
        AIDefinition("17", "USE BY", 6, kind="date"),
        AIDefinition("10", "BATCH/LOT", 20, variable=True, numeric=False),
        AIDefinition("21", "SERIAL", 20, variable=True, numeric=False),
        AIDefinition("37", "COUNT", 8, variable=True),
        AIDefinition("400", "ORDER NUMBER", 30, variable=True, numeric=False),
        AIDefinition("420", "SHIP TO POST", 20, variable=True, numeric=False),
    )
}


def gs1_date(value: dt.date) -> str:
    """A date as GS1 YYMMDD."""
    return value.strftime("%y%m%d")


@dataclass(frozen=True, slots=True)
class ElementString:
    """An ordered list of (AI, value) pairs, validated against the AI table and by `biip`.

    Build with `ElementString.of(...)`, which also puts fixed-length AIs first: a variable-length AI
    needs an FNC1 after it when another AI follows, so putting it last saves symbol width.
    """

    elements: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, *pairs: tuple[str, str], field: str = "gs1", reorder: bool = True) -> ElementString:
        """Validate the pairs and return the element string (fixed-length AIs first if `reorder`)."""
        checked: list[tuple[str, str]] = []
        for ai, value in pairs:
            definition = AIS.get(ai)
            if definition is None:
                raise LabelDataError(field, f"AI ({ai}) is not supported by this label printer layer")
            checked.append((ai, _validate_value(definition, value, f"{field}({ai})")))
        if reorder:
            # stable sort: fixed-length first, then numeric variable (count), then alphanumeric (lot)
            checked.sort(key=lambda p: (AIS[p[0]].variable, not AIS[p[0]].numeric))
        result = cls(tuple(checked))
        result.verify_with_biip(field)
        return result

    def hri(self) -> str:
        """Human-readable form with AIs in brackets: '(01)09501101530003(10)AB-12'."""
        return "".join(f"({ai}){value}" for ai, value in self.elements)

    def transmitted(self) -> str:
        """What a scanner transmits after ']C1': AIs and values, GS after non-final variable fields."""
        parts: list[str] = []
        for index, (ai, value) in enumerate(self.elements):
            parts.append(ai + value)
            if AIS[ai].variable and index < len(self.elements) - 1:
                parts.append(GS)
        return "".join(parts)

    def verify_with_biip(self, field: str = "gs1") -> None:
        """Parse `transmitted()` with biip and raise LabelDataError unless it yields exactly our pairs."""
        try:
            message = GS1Message.parse(self.transmitted())
        except Exception as exc:  # biip raises its own ParseError family
            raise LabelDataError(field, f"not a valid GS1 element string: {exc}") from exc
        parsed = [(es.ai.ai, es.value) for es in message.element_strings]
        if parsed != list(self.elements):
            raise LabelDataError(field, f"GS1 parser read {parsed}, expected {list(self.elements)}")
        for es in message.element_strings:
            error = es.gtin_error or es.sscc_error
            if error:
                raise LabelDataError(field, error)


def _validate_value(definition: AIDefinition, value: str, field: str) -> str:
    if not value:
        raise LabelDataError(field, "must not be empty")
    if definition.numeric and not (value.isascii() and value.isdigit()):
        raise LabelDataError(field, f"digits only, got {value!r}")
    if not definition.numeric and not _CSET82.fullmatch(value):
        raise LabelDataError(field, f"{value!r} has characters outside the GS1 character set")
    if definition.variable and len(value) > definition.length:
        raise LabelDataError(field, f"at most {definition.length} characters, got {len(value)}")
    if definition.kind == "gtin":
        return validate_gtin(value, field)
    if definition.kind == "sscc":
        return validate_sscc(value, field)
    if not definition.variable and len(value) != definition.length:
        raise LabelDataError(field, f"exactly {definition.length} digits, got {len(value)}")
    if definition.kind == "date":
        try:
            # day 00 means "end of month" in GS1; check the month with day 01 then
            dt.datetime.strptime(value[:4] + ("01" if value[4:] == "00" else value[4:]), "%y%m%d")
        except ValueError as exc:
            raise LabelDataError(field, f"{value!r} is not a YYMMDD date") from exc
    return value
