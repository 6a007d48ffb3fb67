"""The HTTP edge: problem replies, the per-request transaction with idempotency, guards, observability."""
