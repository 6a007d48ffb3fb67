"""CPU-bound work (the optimizer's solves: wave planning, re-slotting plans) in a helper process of its own.

A solve in a thread of a server process would share the process's GIL with the event loop: OR-Tools calls back
into Python all the time, and every statement a handheld's request awaits would wait for the GIL behind it (up to
5 ms each switch), so one supervisor planning a wave slowed every scan served by that process. In a separate
process the operating system shares the cores instead. One helper per process, started on first use (spawned, not
forked: the server has threads and an event loop), started again if it dies. The job worker, which plans the
supervisors' waves, starts its helper when it starts (:func:`warm`): a spawned helper imports the server and the
solver first, seconds of CPU that would otherwise land on the first wave planned, in the middle of a shift."""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, TypeVar

import structlog

T = TypeVar("T")
log = structlog.get_logger("wes.cpu")

_pool: ProcessPoolExecutor | None = None


def _executor() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _pool


async def run_in_process(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in the helper process (``fn`` and its arguments are pickled: plain data only)."""
    global _pool
    loop = asyncio.get_running_loop()
    for attempt in (1, 2):
        try:
            return await loop.run_in_executor(_executor(), partial(fn, *args, **kwargs))
        except BrokenProcessPool:
            _pool = None  # the helper died (killed, out of memory): a new one, once
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _import(modules: tuple[str, ...]) -> int:
    for name in modules:
        importlib.import_module(name)
    return len(modules)


async def warm(modules: tuple[str, ...]) -> None:
    """Start the helper process now and import ``modules`` in it (those of the functions it will run); a failure
    is logged, and the helper is then started on first use as before."""
    try:
        await run_in_process(_import, modules)
    except Exception:
        log.exception("solver_helper_not_started")
