"""Wave planning: group open orders by cut-off, carrier and zone, batch and route each wave.

The plan is a preview for the supervisor: each wave lists its batches with routes, total walking
metres and estimated picking minutes (walking at ``walk_m_per_min`` plus ``seconds_per_line`` per
pick), and the elapsed minutes with the pickers available.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.batching import Batch, Cart, Order, batch_orders
from optimizer.model import InputError, Layout, Position

__all__ = ["Wave", "WaveOrder", "WavePlan", "plan_waves"]


@dataclass(frozen=True, slots=True)
class WaveOrder:
    """An open order: picks, cut-off (any sortable text, e.g. ISO time), carrier, zone, priority."""

    id: str
    picks: tuple[Position, ...]
    cutoff: str
    carrier: str = ""
    zone: str = ""
    priority: int = 0  # higher is more urgent
    volume_m3: float = 0.0
    kg: float = 0.0


@dataclass(frozen=True, slots=True)
class Wave:
    """One wave: its grouping key, batches, walking metres and estimated minutes."""

    cutoff: str
    carrier: str
    zone: str
    orders: tuple[str, ...]
    batches: tuple[Batch, ...]
    total_m: float
    pick_minutes: float
    elapsed_minutes: float


@dataclass(frozen=True, slots=True)
class WavePlan:
    waves: tuple[Wave, ...]
    total_m: float
    pick_minutes: float
    solve_ms: float


def plan_waves(
    layout: Layout,
    orders: Sequence[WaveOrder],
    cart: Cart,
    pickers: int = 1,
    walk_m_per_min: float = 60.0,
    seconds_per_line: float = 10.0,
    max_orders_per_wave: int | None = None,
    time_limit_s: float = 5.0,
) -> WavePlan:
    """Propose waves in release order (earliest cut-off, then highest priority first).

    Orders sharing cut-off, carrier and zone form a wave (split at ``max_orders_per_wave``);
    each wave is batched with ``seed-ls`` within its share of ``time_limit_s`` seconds.
    """
    t0 = time.perf_counter()
    if pickers < 1:
        raise InputError(f"pickers: at least 1 picker is needed, got {pickers}")
    if max_orders_per_wave is not None and max_orders_per_wave < 1:
        raise InputError(f"max_orders_per_wave: must be at least 1 (or unset), got {max_orders_per_wave}")
    if walk_m_per_min <= 0 or seconds_per_line < 0:
        raise InputError("walk_m_per_min must be > 0 and seconds_per_line >= 0")
    groups: dict[tuple[str, str, str], list[WaveOrder]] = {}
    for o in orders:
        groups.setdefault((o.cutoff, o.carrier, o.zone), []).append(o)
    keys = sorted(groups, key=lambda k: (k[0], -max(o.priority for o in groups[k]), k[1], k[2]))
    chunks: list[tuple[tuple[str, str, str], list[WaveOrder]]] = []
    for k in keys:
        members = sorted(groups[k], key=lambda o: -o.priority)
        step = max_orders_per_wave or len(members)
        chunks += [(k, members[i : i + step]) for i in range(0, len(members), step)]
    total_orders = max(1, len(orders))
    waves: list[Wave] = []
    for (cutoff, carrier, zone), members in chunks:
        share = time_limit_s * len(members) / total_orders
        res = batch_orders(
            layout,
            [Order(o.id, o.picks, o.volume_m3, o.kg) for o in members],
            cart,
            "seed-ls",
            time_limit_s=max(share, 0.05),
        )
        lines = sum(len(o.picks) for o in members)
        minutes = res.total_length_m / walk_m_per_min + lines * seconds_per_line / 60.0
        # batches are indivisible: elapsed time is at least the longest single batch
        longest = max(
            (b.length_m / walk_m_per_min + len(b.sequence) * seconds_per_line / 60.0 for b in res.batches),
            default=0.0,
        )
        waves.append(
            Wave(
                cutoff,
                carrier,
                zone,
                tuple(o.id for o in members),
                res.batches,
                res.total_length_m,
                minutes,
                max(minutes / pickers, longest),
            )
        )
    return WavePlan(
        tuple(waves),
        sum(w.total_m for w in waves),
        sum(w.pick_minutes for w in waves),
        (time.perf_counter() - t0) * 1e3,
    )
