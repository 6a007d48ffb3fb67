"""Idempotent writes: the first reply to a (caller, Idempotency-Key) is stored and replayed."""
