"""Who is calling: a person logged in (optionally on a handheld) or an owner's API key. Pure data."""

from __future__ import annotations

from dataclasses import dataclass

from server.errors import Forbidden
from server.identity.models import Role


@dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    user_id: int | None = None
    username: str = ""
    owner_id: int | None = None  # set for client users and API keys: they see only this owner
    warehouse_id: int | None = None
    device_id: int | None = None
    api_key_id: int | None = None
    locale: str = "en"

    @property
    def caller(self) -> str:
        """The key under which this caller's idempotent replies are stored."""
        if self.api_key_id is not None:
            return f"apikey:{self.api_key_id}"
        if self.device_id is not None:
            return f"device:{self.device_id}/user:{self.user_id}"
        return f"user:{self.user_id}"

    @property
    def is_owner_scoped(self) -> bool:
        return self.owner_id is not None

    def visible_owner_ids(self) -> frozenset[int] | None:
        """The owners whose data this caller may see; None means every owner (warehouse staff)."""
        return None if self.owner_id is None else frozenset({self.owner_id})

    def check_owner(self, owner_id: int) -> None:
        """Refuse (403) when this caller may not see or change data of ``owner_id``."""
        if self.owner_id is not None and self.owner_id != owner_id:
            raise Forbidden(
                "This belongs to another owner; your login may only use its own owner's data.",
                code="other_owner",
            )

    def resolve_owner(self, owner_id: int | None) -> int:
        """The owner a write is for: an owner-scoped caller's own, or the one a staff caller names."""
        if owner_id is None:
            if self.owner_id is None:
                from server.errors import InvalidInput

                raise InvalidInput("Say which owner this is for (owner_id).", code="owner_required")
            return self.owner_id
        self.check_owner(owner_id)
        return owner_id


# The system itself (the CLI, scheduled jobs, the demo seeder): staff rights over every owner, no user row.
SYSTEM = Principal(role=Role.ADMIN, username="system")
