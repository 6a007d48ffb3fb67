"""The short Schemathesis run of CI: every operation of the served OpenAPI, as every role and without credentials,
valid and invalid requests. No 5xx, every documented reply matches its schema. The long run: `wes bench fuzz`."""

from __future__ import annotations

import asyncio
import json
import os

import httpx
import pytest

from server.bench.fuzz import run_fuzz
from tests.servers import running_server
from tests.world import PASSWORD, build_world

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

# CI: one case per operation and role; `wes bench fuzz` goes long
EXAMPLES = int(os.environ.get("WES_FUZZ_EXAMPLES", "1"))
# Findings reported to the owning area and not fixable in the shared HTTP layer; each (method path, check) here
# is a known defect, listed in the closing note, and the test fails on anything else.
KNOWN: set[tuple[str, str]] = set()


def test_every_operation_as_every_role_no_5xx_and_schema_conformance(pg_url: str) -> None:
    world = asyncio.run(build_world(pg_url))
    with running_server(pg_url, workers=1) as base:
        credentials: dict[str, dict[str, str]] = {"anonymous": {}}
        for user in ("admin", "supervisor", "receiver", "picker", "packer", "client-owna"):
            r = httpx.post(f"{base}/api/v1/auth/login", json={"username": user, "password": PASSWORD}, timeout=30)
            assert r.status_code == 200, r.text
            credentials[user] = {"Authorization": f"Bearer {r.json()['token']}"}
        credentials["integration"] = {"X-API-Key": world.api_keys["OWNA"]}
        report = run_fuzz(base, credentials, max_examples=EXAMPLES)
    assert report.operations > 50 and report.requests > report.operations * len(credentials)
    findings = [f for f in report.as_dict()["findings"] if (f["operation"], f["check"]) not in KNOWN]
    assert findings == [], json.dumps(findings, indent=1, ensure_ascii=False)
