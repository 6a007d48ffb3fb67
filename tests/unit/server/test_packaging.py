"""The production-like set-up holds together: compose.yaml is well-formed and names only real settings,
commands and services; the Dockerfile installs from the lock file."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from typer.testing import CliRunner

from server.cli import app
from server.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_has_the_four_services_wired_together():
    doc = _compose()
    services = doc["services"]
    assert set(services) == {"postgres", "redis", "server", "worker"}
    for name, svc in services.items():
        assert ("image" in svc) != ("build" in svc), name
        deps = svc.get("depends_on", {})
        assert set(deps) <= set(services), name
        for dep in deps.values():
            assert dep["condition"] in {
                "service_started",
                "service_healthy",
                "service_completed_successfully",
            }
            if dep["condition"] == "service_healthy":
                pass
        for hc in [svc.get("healthcheck")] if svc.get("healthcheck") else []:
            assert hc["test"][0] in {"CMD", "CMD-SHELL"}
    for vol in (v.split(":")[0] for s in services.values() for v in s.get("volumes", [])):
        assert vol in doc.get("volumes", {}), vol
    for port in services["server"]["ports"]:
        assert re.fullmatch(r"\d+:\d+", port)


def test_compose_environment_names_real_settings():
    fields = {f"WES_{name.upper()}" for name in Settings.model_fields}
    for svc in ("server", "worker"):
        env = _compose()["services"][svc]["environment"]
        assert set(env) <= fields, set(env) - fields
        assert env["WES_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert env["WES_REDIS_URL"].startswith("redis://")


def test_compose_commands_are_real_wes_commands():
    runner = CliRunner()
    for svc in ("server", "worker"):
        cmd = _compose()["services"][svc]["command"]
        assert cmd[0] == "wes"
        result = runner.invoke(app, [cmd[1], "--help"])
        assert result.exit_code == 0, result.output
        for opt in (c for c in cmd[2:] if c.startswith("--")):
            assert opt in result.output, opt


def test_dockerfile_installs_from_the_lock():
    text = (ROOT / "Dockerfile").read_text()
    assert "uv sync --frozen" in text
    for pkg in ("server", "optimizer", "labels", "pda_client"):
        assert f"COPY {pkg} " in text


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = [f"WES_{n.upper()}" for n in Settings.model_fields if f"WES_{n.upper()}" not in readme]
    assert not missing, missing


def test_settings_defaults_run():
    s = Settings(_env_file=None)
    assert s.database_url.startswith("sqlite+aiosqlite") and s.redis_url is None and s.port == 8000
