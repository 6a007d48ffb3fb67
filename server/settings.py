"""All settings of the server, read once from the environment (prefix ``WES_``).

Every setting has a default that runs on a bare machine: SQLite in the working directory, no Redis
(realtime in memory), one worker. The README lists them all.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_DEV_SECRET = "dev-insecure-secret-change-me-" + "0" * 16


class Settings(BaseSettings):
    """Server settings; each field maps to the environment variable ``WES_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="WES_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite+aiosqlite:///./wes.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///FILE (embedded) or postgresql+asyncpg://...",
    )
    redis_url: str | None = Field(
        None,
        description="redis://host:6379/0. When set: realtime events go through Redis pub/sub (every worker "
        "process sees every event) and `wes worker` runs background jobs. When unset: realtime is in-process "
        "memory and there is no job worker.",
    )
    secret_key: str = Field(
        _DEV_SECRET,
        description="Secret for signed tokens (the board's CSRF tokens). Set a long random value "
        "in production; `wes serve` warns while it is the default.",
    )
    host: str = Field("127.0.0.1", description="Address `wes serve` binds to.")
    port: int = Field(8000, description="Port `wes serve` listens on.")
    workers: int = Field(1, ge=1, description="Worker processes for `wes serve` (use >1 only with PostgreSQL).")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")
    log_json: bool = Field(True, description="Structured JSON logs (one object a line) when true; console otherwise.")
    debug: bool = Field(False, description="Litestar debug mode (tracebacks in replies). Never in production.")
    max_body_bytes: int = Field(2_000_000, description="Largest request body accepted; larger gets 413.")
    import_max_bytes: int = Field(
        20_000_000,
        description="Largest CSV file a bulk import (POST /api/v1/import/...) accepts; larger gets 413. "
        "Imports may exceed max_body_bytes up to this size.",
    )
    import_max_rows: int = Field(
        100_000, ge=1, description="Most rows a bulk CSV import takes in one file; more gets 413 (split the file)."
    )
    db_pool_size: int = Field(10, description="Connections per worker process in the PostgreSQL pool.")
    db_echo: bool = Field(False, description="Log every SQL statement.")
    token_ttl_hours: int = Field(12, description="How long a login (cookie or bearer token) stays valid: a shift.")
    login_max_failures: int = Field(
        5, ge=1, description="Failed logins for one username within login_window_s before its logins get 429."
    )
    login_max_failures_per_ip: int = Field(
        50, ge=1, description="Failed logins from one client address within login_window_s before its logins get 429."
    )
    login_window_s: int = Field(
        300, ge=1, description="Window (seconds) of the failed-login counts; a throttled login waits for its end."
    )
    idempotency_ttl_hours: int = Field(
        72,
        description="How long stored idempotent replies are kept; the worker's hourly job drops older ones.",
    )
    default_locale: Literal["en", "zh-CN"] = Field("en", description="Language of screens for new users.")
    demo_password: str = Field("demo1234", description="Password given to the demo users by `wes demo`.")
    password_time_cost: int = Field(3, ge=1, description="argon2 time cost for password hashes.")
    password_memory_kib: int = Field(
        65536,
        ge=8,
        description="argon2 memory cost (KiB) for password hashes; test suites lower it, production keeps the default.",
    )
    data_dir: Path = Field(Path("./var"), description="Where SSCC sequences, label files and exports are kept.")
    ewaybill_url: str = Field(
        "", description="Endpoint of the e-waybill aggregator (Kdniao-style API) used by carriers of kind ewaybill."
    )
    ewaybill_business_id: str = Field("", description="Merchant id (EBusinessID) at the e-waybill aggregator.")
    ewaybill_app_key: str = Field(
        "", description="AppKey that signs aggregator requests and verifies tracking pushes; never logged."
    )
    ewaybill_timeout_s: float = Field(10.0, description="Seconds to wait for the e-waybill aggregator's answer.")
    webhook_allow_private: bool = Field(
        False, description="Allow webhook targets on loopback or private addresses (refused by default)."
    )
    webhook_max_attempts: int = Field(
        8, ge=1, description="Tries of a webhook delivery before it is dead-lettered (re-sendable from the API)."
    )
    webhook_backoff_base_s: float = Field(
        30.0, description="First retry delay of a failed webhook; doubled per try, with jitter, capped at 1 h."
    )
    webhook_timeout_s: float = Field(10.0, description="Seconds to wait for a webhook receiver's answer.")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sync_database_url(self) -> str:
        """The same database for synchronous tools (Alembic offline, audits)."""
        return self.database_url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")

    def uses_dev_secret(self) -> bool:
        return self.secret_key == _DEV_SECRET


@lru_cache
def get_settings() -> Settings:
    return Settings()


def random_secret() -> str:
    return secrets.token_urlsafe(48)
