"""Password hashing (argon2), random tokens and API keys. Only hashes are stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def configure_password_hashing(time_cost: int, memory_kib: int) -> None:
    """Set the argon2 cost (from settings). Lower costs are for test suites only."""
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


API_KEY_PREFIX = "wes_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def verify_password_async(password_hash: str, password: str) -> bool:
    """Verify in a worker thread: argon2 takes a few hundred ms on purpose, and must not stall other requests."""
    return await anyio.to_thread.run_sync(verify_password, password_hash, password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """SHA-256 of a random token: enough for 256-bit random secrets, and fast on every request."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_api_key() -> tuple[str, str, str]:
    """A new API key as (full key shown once, lookup prefix, digest to store)."""
    prefix = secrets.token_hex(4)
    key = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, token_digest(key)


def split_api_key(key: str) -> str | None:
    """The lookup prefix of a presented key, or None when it is not shaped like one of ours."""
    if not key.startswith(API_KEY_PREFIX):
        return None
    rest = key[len(API_KEY_PREFIX) :]
    prefix, sep, _ = rest.partition("_")
    return prefix if sep and len(prefix) == 8 else None


def digests_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
