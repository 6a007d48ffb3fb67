"""Every kind of floor exception the code opens has a board label in English and Simplified Chinese (the board
shows ``t('kind_' + kind)``; a kind without one would show its raw code to a supervisor)."""

from __future__ import annotations

import ast
from pathlib import Path

from server.board.i18n import TEXTS

SERVER = Path(__file__).resolve().parents[2] / "server"


def _opened_kinds() -> set[str]:
    """The first argument after ``uow`` of every ``open_exception(...)`` call: a string, or a module constant
    (defined in any module of the server: kinds are imported from where they are defined)."""
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in SERVER.rglob("*.py")]
    constants = {
        t.id: n.value.value
        for tree in trees
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    kinds: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "open_exception"):
                continue
            kind = node.args[1]
            if isinstance(kind, ast.Constant):
                kinds.add(str(kind.value))
            elif isinstance(kind, ast.Name):
                kinds.add(constants[kind.id])
    return kinds


def test_every_exception_kind_has_a_label_in_both_languages() -> None:
    kinds = _opened_kinds()
    assert {"short_pick", "reallocation_short", "count_variance"} <= kinds  # the walk finds calls and constants
    missing = sorted(k for k in kinds if f"kind_{k}" not in TEXTS)
    assert not missing, f"exception kinds without a board label: {missing}"
    for k in kinds:
        en, zh = TEXTS[f"kind_{k}"]
        assert en and zh and en != zh
