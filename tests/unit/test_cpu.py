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


async def test_warm_imports_the_solver_modules_in_the_helper() -> None:
    from server.jobs.queue import SOLVER_MODULES

    await cpu.warm(SOLVER_MODULES)
    loaded = await cpu.run_in_process(_loaded, SOLVER_MODULES)
    assert loaded == list(SOLVER_MODULES)


async def test_a_helper_that_cannot_start_its_modules_is_logged_not_raised() -> None:
    await cpu.warm(("server.no_such_module",))  # logged; the next solve starts a helper as before
    assert await cpu.run_in_process(os.getpid) != os.getpid()


def _loaded(modules: tuple[str, ...]) -> list[str]:
    import sys

    return [m for m in modules if m in sys.modules]
