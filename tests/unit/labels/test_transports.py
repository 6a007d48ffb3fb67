import io
import socket
import threading
import time

import pytest

from labels.errors import PrinterUnavailable, TransportError
from labels.transports import FileTransport, StreamTransport, TcpTransport, send, transport_for


class FakePrinter:
    """A raw-9100 listener on 127.0.0.1 that stores every job it receives."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(10)
        self.port = self.server.getsockname()[1]
        self.jobs: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._stop = False
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                chunks = []
                while chunk := conn.recv(65536):
                    chunks.append(chunk)
                self.jobs.append(b"".join(chunks))

    def close(self) -> None:
        self._stop = True
        self.server.close()
        self._thread.join(timeout=5)


@pytest.fixture
def printer():
    fake = FakePrinter()
    yield fake
    fake.close()


def _wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_tcp_transport_delivers_the_exact_bytes(printer):
    job = "^XA^CI28^FO10,10^A@N,30,30,E:CJKSANS.TTF^FD上海^FS^XZ".encode() * 500  # > one TCP segment
    send(job, f"tcp://127.0.0.1:{printer.port}")
    assert _wait_for(lambda: len(printer.jobs) == 1)
    assert printer.jobs[0] == job


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_tcp_transport_gives_a_clear_error_when_nothing_listens():
    port = _free_port()
    started = time.monotonic()
    with pytest.raises(PrinterUnavailable) as info:
        TcpTransport("127.0.0.1", port, timeout=1, attempts=2, backoff=0.05).send(b"^XA^XZ")
    message = str(info.value)
    assert f"tcp://127.0.0.1:{port}" in message
    assert "connection refused" in message and "2 attempt(s)" in message and "switched on" in message
    assert time.monotonic() - started < 5


def test_tcp_transport_retries_until_the_printer_comes_up():
    port = _free_port()
    received: list[bytes] = []

    def late_printer():
        time.sleep(0.3)
        with socket.create_server(("127.0.0.1", port)) as server:
            server.settimeout(5)
            conn, _ = server.accept()
            with conn:
                received.append(conn.recv(100))

    thread = threading.Thread(target=late_printer)
    thread.start()
    TcpTransport("127.0.0.1", port, timeout=1, attempts=5, backoff=0.2).send(b"^XA^XZ")
    thread.join(timeout=5)
    assert received == [b"^XA^XZ"]


def test_file_transport_writes_the_bytes(tmp_path):
    target = tmp_path / "out" / "label.zpl"
    send(b"^XA^XZ", f"file://{target}")
    assert target.read_bytes() == b"^XA^XZ"
    assert isinstance(transport_for(f"file://{target}"), FileTransport)


def test_stdout_transport_writes_to_the_stream(capfdbinary):
    send(b"^XA^XZ", "stdout")
    assert capfdbinary.readouterr().out == b"^XA^XZ"
    buffer = io.BytesIO()
    StreamTransport(buffer).send(b"abc")
    assert buffer.getvalue() == b"abc"


def test_uri_parsing():
    tcp = transport_for("tcp://printer-7.dock:9101", timeout=2, attempts=4)
    assert tcp == TcpTransport("printer-7.dock", 9101, timeout=2, attempts=4)
    assert transport_for("tcp://10.0.0.5") == TcpTransport("10.0.0.5", 9100)
    for bad in ("lpr://x", "tcp://", "file://otherhost/x.zpl", "tcp://h:notaport"):
        with pytest.raises(TransportError):
            transport_for(bad)


def test_tcp_transport_does_not_resend_a_job_that_broke_mid_send():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(5)
    port = server.getsockname()[1]
    accepted = []

    def serve():
        try:
            while True:
                conn, _ = server.accept()
                accepted.append(conn)
                conn.recv(16)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                conn.close()  # reset: the rest of the job cannot be delivered
        except OSError:
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        transport = TcpTransport("127.0.0.1", port, timeout=2.0, attempts=3, backoff=0.01)
        with pytest.raises(TransportError, match="partly printed") as info:
            transport.send(b"^XA" + b"X" * 8_000_000 + b"^XZ")
        assert not isinstance(info.value, PrinterUnavailable)
        time.sleep(0.2)
        assert len(accepted) == 1  # sent once, never retried
    finally:
        server.close()
        thread.join(timeout=5)
