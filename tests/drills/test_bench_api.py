"""`wes bench api --json` end to end, small: the real server processes, the worker, pgbench and the checks run and
report every figure. Speed targets are not asserted here (they live in the benchmark's own output); what must hold
at any speed is: no error other than the intended 4xx, the books agree afterwards, a confirm made through one
server reaches the other's live stream, and a job queued through one is run by the worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_URL, require_service
from tests.drills.faults import RedisProcess

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_bench_api_runs_and_reports(tmp_path: Path) -> None:
    require_service("PostgreSQL", PG_URL, 5432)
    redis = RedisProcess(tmp_path).start()  # its own queue: no other test's worker takes the bench's jobs
    try:
        cmd = [sys.executable, "-m", "server.cli", "bench", "api", "--json", "--orders", "300", "--handhelds", "4"]
        cmd += ["--closed-s", "3", "--open-s", "3", "--pgbench-s", "1"]
        env = {**os.environ, "WES_DATABASE_URL": PG_URL, "WES_REDIS_URL": redis.url}
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    finally:
        redis.kill9()
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["closed_loop"]["confirms"] > 0, result["closed_loop"]
    assert result["open_loop"]["issued"] > 0, result["open_loop"]
    assert result["pgbench"]["tps"], result["pgbench"]
    assert isinstance(result["share_of_pgbench_pct"], float)
    assert result["confirm_sql"]["statements_per_confirm"] <= 15
    assert result["errors"] == {}
    assert result["problems"] == []
    targets = result["targets"]
    assert targets["no_errors"] and targets["audit_clean"], targets
    assert targets["stream_under_1s"], result["scale_out"]
    assert targets["queued_job_run"], result["scale_out"]
