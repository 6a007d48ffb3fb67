"""Printer transports chosen by URI.

- `tcp://host[:port]`: raw socket (port 9100 by default), connect/send timeout, retries with backoff,
  and a clear PrinterUnavailable when nothing answers.
- `file:///path`: write the ZPL to a file (overwrites).
- `stdout` (or `-`): write the ZPL to standard output.
"""

from __future__ import annotations

import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import unquote, urlparse

from labels.errors import PrinterUnavailable, TransportError

RAW_PORT = 9100


class Transport(Protocol):
    """Sends label bytes somewhere."""

    def send(self, data: bytes) -> None:
        """Deliver `data` (ZPL bytes) or raise TransportError."""
        ...  # a Protocol: the implementations are the TCP, file and stdout transports below


@dataclass(frozen=True, slots=True)
class TcpTransport:
    """Raw TCP ("port 9100", JetDirect) printing. `timeout` in seconds for connect and each send."""

    host: str
    port: int = RAW_PORT
    timeout: float = 5.0
    attempts: int = 3
    backoff: float = 0.5  # seconds before the 2nd attempt, doubled for each later one

    def send(self, data: bytes) -> None:
        """Connect (retrying connection failures `attempts` times), send all bytes once, close.

        Only connecting is retried: once bytes may have gone out a retry could print the label twice
        (e.g. a duplicate SSCC), so a failure then is a TransportError saying the job may be partly printed.
        """
        last_error: OSError | None = None
        for attempt in range(1, self.attempts + 1):
            try:
                conn = socket.create_connection((self.host, self.port), timeout=self.timeout)
            except OSError as exc:  # refused, timed out, unreachable
                last_error = exc
                if attempt < self.attempts:
                    time.sleep(self.backoff * 2 ** (attempt - 1))
                continue
            with conn:
                try:
                    conn.settimeout(self.timeout)
                    conn.sendall(data)
                    # Half-close so the printer sees end of job; it never answers on 9100.
                    conn.shutdown(socket.SHUT_WR)
                except OSError as exc:
                    raise TransportError(
                        f"printer tcp://{self.host}:{self.port} failed while receiving the label "
                        f"({_describe(exc)}); the job may be partly printed and was not re-sent. "
                        "Check the printer before printing it again."
                    ) from exc
            return
        reason = _describe(last_error)
        raise PrinterUnavailable(
            f"printer tcp://{self.host}:{self.port} did not take the label after {self.attempts} "
            f"attempt(s): {reason}. Is it switched on, online and on the network?"
        )


def _describe(error: OSError | None) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (nothing listens on that port)"
    if isinstance(error, TimeoutError | socket.timeout):
        return "no answer (timed out)"
    if isinstance(error, socket.gaierror):
        return f"unknown host ({error.strerror})"
    return str(error) if error else "unknown error"


@dataclass(frozen=True, slots=True)
class FileTransport:
    """Writes the label to a file (creating parent folders)."""

    path: Path

    def send(self, data: bytes) -> None:
        """Write `data` to the file, replacing it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_bytes(data)
        except OSError as exc:
            raise TransportError(f"cannot write {self.path}: {exc.strerror or exc}") from exc


@dataclass(frozen=True, slots=True)
class StreamTransport:
    """Writes the label to a binary stream (standard output by default)."""

    stream: BinaryIO | None = None

    def send(self, data: bytes) -> None:
        """Write and flush."""
        stream = self.stream or sys.stdout.buffer
        stream.write(data)
        stream.flush()


def transport_for(uri: str, *, timeout: float = 5.0, attempts: int = 3) -> Transport:
    """The transport for a URI: tcp://host[:port], file:///path, or stdout ('-' too)."""
    if uri in ("stdout", "-", "stdout:"):
        return StreamTransport()
    parsed = urlparse(uri)
    if parsed.scheme == "tcp":
        if not parsed.hostname:
            raise TransportError(f"no host in {uri!r}; expected tcp://host:9100")
        try:
            port = parsed.port or RAW_PORT
        except ValueError as exc:
            raise TransportError(f"bad port in {uri!r}") from exc
        return TcpTransport(parsed.hostname, port, timeout=timeout, attempts=attempts)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise TransportError(f"file URIs must be local (file:///path), got {uri!r}")
        if not parsed.path:
            raise TransportError(f"no path in {uri!r}")
        return FileTransport(Path(unquote(parsed.path)))
    raise TransportError(f"unsupported printer URI {uri!r}; use tcp://host:9100, file:///path or stdout")


def send(data: bytes, uri: str, *, timeout: float = 5.0, attempts: int = 3) -> None:
    """Send label bytes to the printer or file named by `uri`."""
    transport_for(uri, timeout=timeout, attempts=attempts).send(data)
