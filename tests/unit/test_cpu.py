"""The optimizer's solves run in a helper process, not in a thread of the server's (see server/cpu.py)."""

from __future__ import annotations

import os
import signal

from server import cpu


async def test_work_runs_in_another_process_and_a_dead_helper_is_replaced() -> None:
    helper = await cpu.run_in_process(os.getpid)
    assert helper != os.getpid()
    assert await cpu.run_in_process(os.getpid) == helper  # one helper, kept
    os.kill(helper, signal.SIGKILL)
    again = await cpu.run_in_process(os.getpid)
    assert again not in (helper, os.getpid())
