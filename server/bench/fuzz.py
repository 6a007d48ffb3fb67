"""Schemathesis over the served OpenAPI, once per role: every operation gets generated requests (valid and invalid
bodies, odd query values) with that role's credentials; a 5xx or a reply that does not match the documented schema
is a finding. Used by the CI's short run (tests/fuzz) and by ``wes bench fuzz`` for the long one."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Operations that end the caller's own session or credentials: fuzzing them would only log the fuzzer out.
SKIP_PATHS = frozenset({"/api/v1/auth/logout", "/api/v1/auth/password", "/board/logout"})
SKIP_PREFIXES = ("/board/events", "/api/v1/events")  # long-lived event streams


@dataclass
class Finding:
    role: str
    operation: str
    check: str
    status: int | None
    message: str
    request: str


@dataclass
class FuzzReport:
    operations: int = 0
    requests: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        seen: set[tuple[str, str]] = set()
        unique = []
        for f in self.findings:
            if (f.operation, f.message[:120]) not in seen:
                seen.add((f.operation, f.message[:120]))
                unique.append(f.__dict__)
        return {
            "operations": self.operations,
            "requests": self.requests,
            "by_status": dict(sorted(self.by_status.items())),
            "findings": unique,
            "seconds": round(self.seconds, 1),
        }


def run_fuzz(
    base_url: str,
    credentials: dict[str, dict[str, str]],
    *,
    max_examples: int = 5,
    negative: bool = True,
    only: Callable[[str, str], bool] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    timeout_s: float = 15.0,
) -> FuzzReport:
    """Fuzz every operation of ``{base_url}/schema/openapi.json`` once per role in ``credentials``
    (role -> headers; ``{}`` for no credentials)."""
    import schemathesis
    from schemathesis.generation import GenerationMode

    started = time.perf_counter()
    schema = schemathesis.openapi.from_url(f"{base_url}/schema/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        op = result.ok()  # type: ignore[union-attr]
        if op.path in SKIP_PATHS or op.path.startswith(SKIP_PREFIXES):
            continue
        if only is not None and not only(op.method.upper(), op.path):
            continue
        operations.append(op)
    report = FuzzReport(operations=len(operations))
    modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if negative else [])
    total = len(operations) * len(credentials)
    done = 0
    for role, headers in credentials.items():
        for op in operations:
            label = f"{op.method.upper()} {op.path}"
            for mode in modes:
                _case_runner(
                    op.as_strategy(generation_mode=mode),
                    base_url,
                    role,
                    headers,
                    label,
                    report,
                    timeout_s,
                    max_examples,
                )()
            done += 1
            if progress is not None:
                progress(f"fuzz as {role}", done, total)
    report.seconds = time.perf_counter() - started
    return report


def _case_runner(
    strategy: Any,
    base_url: str,
    role: str,
    headers: dict[str, str],
    label: str,
    report: FuzzReport,
    timeout_s: float,
    max_examples: int,
) -> Callable[[], None]:
    """A Hypothesis test that sends each generated case and records what the checks find (never stops early)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        try:
            response = case.call(base_url=base_url, headers=headers, timeout=timeout_s)
        except Exception as exc:  # the server dropped the connection: as bad as a 5xx
            report.findings.append(Finding(role, label, "transport", None, repr(exc)[:500], _curl(case)))
            return
        report.requests += 1
        key = str(response.status_code)
        report.by_status[key] = report.by_status.get(key, 0) + 1
        for check in (not_a_server_error, response_schema_conformance):
            try:
                case.validate_response(response, checks=[check])
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a FailureGroup
                report.findings.append(
                    Finding(role, label, check.__name__, response.status_code, str(exc)[:800], _curl(case))
                )

    return run


def _curl(case: Any) -> str:
    try:
        return str(case.as_curl_command())[:1500]
    except Exception:  # pragma: no cover - a case schemathesis cannot print
        return f"{case.method} {case.formatted_path}"
