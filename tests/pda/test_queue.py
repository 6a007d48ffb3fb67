"""The offline queue survives the app being killed and keeps the order of writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pda_client.core.queue import EntryState, OfflineQueue


def test_enqueue_is_durable_across_a_kill(tmp_path: Path) -> None:
    db = tmp_path / "queue.db"
    # a separate process enqueues and is killed before it could send anything
    code = (
        "import os, signal; from pda_client.core.queue import OfflineQueue\n"
        f"q = OfflineQueue({str(db)!r})\n"
        "q.enqueue('POST', '/api/v1/stock/moves', {'stock_id': 1, 'qty': 2}, key='k-1')\n"
        "q.enqueue('POST', '/api/v1/stock/moves', {'stock_id': 1, 'qty': 3}, key='k-2')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode != 0  # killed
    q = OfflineQueue(db)
    assert [(e.key, e.body["qty"]) for e in q.pending()] == [("k-1", 2), ("k-2", 3)]


def test_states_and_counts(tmp_path: Path) -> None:
    q = OfflineQueue(tmp_path / "q.db")
    a = q.enqueue("POST", "/x", {"n": 1}, label="first")
    b = q.enqueue("POST", "/x", {"n": 2})
    assert len(a.key) == 36 and a.key != b.key and a.seq < b.seq
    q.answered(a.key, 201, {"ok": True})
    q.answered(b.key, 409, {"code": "insufficient_stock", "detail": "Only 3 left."})
    assert q.counts() == {"pending": 0, "done": 1, "rejected": 1}
    (rej,) = q.rejected()
    assert rej.state == EntryState.REJECTED and rej.problem == "Only 3 left."
    q.dismiss(rej.key)
    assert q.rejected() == []


def test_a_refused_write_says_what_to_do(tmp_path: Path) -> None:
    from pda_client.core.advice import advice

    q = OfflineQueue(tmp_path / "q.db")
    moved = q.enqueue("POST", "/api/v1/stock/moves", {"qty": 9})
    gone = q.enqueue("POST", "/api/v1/picking/picks/9/confirm", {})
    odd = q.enqueue("POST", "/x", {})
    q.answered(moved.key, 409, {"code": "insufficient_stock", "detail": "Only 3 left."})
    q.answered(gone.key, 404, {"code": "task_not_found", "detail": "No task 9."})
    q.answered(odd.key, 422, {"code": "something_new", "detail": "?"})
    got = [advice(e) for e in q.rejected()]
    assert [k for k, _ in got] == ["advice_stock", "advice_gone", "advice_supervisor"]
    assert "look the location up" in got[0][1]
