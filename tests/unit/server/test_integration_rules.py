"""Webhook rules without services: signatures, back-off with jitter, refused targets."""

from __future__ import annotations

import random

from server.integration import rules


def test_signature_covers_timestamp_and_body() -> None:
    sig = rules.sign("k", 1700000000, b'{"a":1}')
    assert sig.startswith("v1=") and len(sig) == 3 + 64
    # printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac k
    assert sig == "v1=1b6ad1bc9bf48c52ce01939866d5877c6cc4e87ddad27e16673cb8c4964394a3"
    assert rules.verify("k", 1700000000, b'{"a":1}', sig, now=1700000100)
    assert not rules.verify("k", 1700000001, b'{"a":1}', sig, now=1700000100)  # another timestamp
    assert not rules.verify("k", 1700000000, b'{"a":2}', sig, now=1700000100)  # another body
    assert not rules.verify("x", 1700000000, b'{"a":1}', sig, now=1700000100)  # another secret
    assert not rules.verify("k", 1700000000, b'{"a":1}', sig, now=1700000000 + 301)  # a replay, too late


def test_backoff_doubles_with_jitter_and_a_cap() -> None:
    rng = random.Random(7)
    for attempt, ceiling in [(1, 30.0), (2, 60.0), (3, 120.0), (4, 240.0), (20, 3600.0)]:
        delays = [rules.backoff_s(attempt, base_s=30.0, rng=rng) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > ceiling / 4  # jittered, not one fixed delay


def test_private_and_loopback_targets_are_refused_unless_allowed() -> None:
    for url in (
        "http://127.0.0.1:8080/h",
        "http://10.1.2.3/h",
        "http://192.168.0.5/h",
        "http://[::1]/h",
        "http://169.254.169.254/latest",
        "http://localhost/h",
        "http://0.0.0.0/h",
    ):
        assert rules.target_problem(url, allow_private=False), url
        assert rules.target_problem(url, allow_private=True) is None, url
    assert rules.target_problem("ftp://example.com/x", allow_private=True)
    assert rules.target_problem("https://8.8.8.8/hook", allow_private=False) is None
