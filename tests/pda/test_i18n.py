"""Every prompt a workflow can show has its Simplified Chinese text, with no placeholder it cannot fill."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from pda_client.core.advice import BY_CODE, DEFAULT
from pda_client.core.count import CountWorkflow
from pda_client.core.pick import PickWorkflow
from pda_client.core.putaway import PutawayWorkflow
from pda_client.core.queue import OfflineQueue
from pda_client.core.receive import ReceiveWorkflow
from pda_client.core.workflows import Flow
from pda_client.i18n import FLOW_ZH, TEXTS, localize

CORE = Path(__file__).resolve().parents[2] / "pda_client" / "core"
FLOWS: dict[str, type[Flow]] = {
    "pick": PickWorkflow,
    "putaway": PutawayWorkflow,
    "count": CountWorkflow,
    "receive": ReceiveWorkflow,
}


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_every_prompt_key_is_translated(name: str) -> None:
    cls = FLOWS[name]
    source = (CORE / f"{name}.py").read_text()
    keys = set(cls.questions) | set(re.findall(r'key="([a-z_]+)"', source))
    keys |= {f"count_{s}" for s in ("counted", "recount", "approval")} if name == "count" else set()
    missing = sorted(k for k in keys if f"{name}.{k}" not in FLOW_ZH and k not in FLOW_ZH)
    assert not missing, missing


def test_placeholders_are_data_the_flows_give(tmp_path: Path) -> None:
    from pda_client.core.api import ApiClient

    api = ApiClient("http://127.0.0.1:9", OfflineQueue(tmp_path / "q.db"))
    given = {name: set(cls(api).data()) for name, cls in FLOWS.items()}
    extra = {"detail", "scanned", "doc", "where", "sscc", "new_lpn", "number", "last", "last_key", "lpn", "qty"}
    for key, text in FLOW_ZH.items():
        fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
        flow = key.split(".", 1)[0]
        allowed = given.get(flow, set().union(*given.values())) | extra
        assert fields <= allowed, (key, fields - allowed)


def test_localize_and_actions() -> None:
    assert localize("pick", "location", "Go to A.", "en", {"location": "A"}) == "Go to A."
    assert localize("pick", "location", "Go to A.", "zh-CN", {"location": "A-01-01-A"}).startswith("请前往 A-01-01-A")
    assert localize("pick", "no_such_key", "As is.", "zh-CN") == "As is."
    assert localize("", "server_says", "x", "zh-CN", {}) == "服务器拒绝："  # a missing value is left blank
    for action in ("claim", "short", "done", "send", "new_lpn", "close"):
        assert TEXTS[f"act.{action}"]["zh-CN"]


def test_every_advice_is_translated() -> None:
    for key, _ in [*BY_CODE.values(), DEFAULT, ("advice_gone", "")]:
        assert key in FLOW_ZH, key
