"""Role checks. Every route declares who may call it with ``opt=allow(...)`` (or ``PUBLIC``); a test walks the
app and fails on any route that declares nothing."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from server.identity.models import STAFF_ROLES, Role
from server.identity.principal import Principal

PUBLIC: dict[str, Any] = {"roles": "public"}
OPENAPI_PREFIX = "/schema"  # the OpenAPI document and its UI are public and served without a transaction

# Common groups, named by what the people in them do.
MANAGERS = (Role.ADMIN, Role.SUPERVISOR)
FLOOR = (Role.ADMIN, Role.SUPERVISOR, Role.RECEIVER, Role.PICKER, Role.PACKER)
STAFF = tuple(STAFF_ROLES)
EVERYONE = (*FLOOR, Role.CLIENT, Role.INTEGRATION)


def allow(*roles: Role) -> dict[str, Any]:
    """Route ``opt`` that lets only these roles call the route."""
    return {"roles": frozenset(roles)}


def role_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    if connection.scope.get("method") == "OPTIONS":  # Litestar's automatic OPTIONS reply reveals nothing
        return
    roles = handler.opt.get("roles")
    if roles == "public" or connection.scope["path"].startswith(OPENAPI_PREFIX):
        return
    if roles is None:  # a route that forgot to say: refuse rather than expose it
        raise PermissionDeniedException("This endpoint declares no roles.")
    principal = connection.scope.get("user")
    if not isinstance(principal, Principal):
        raise NotAuthorizedException("You are not logged in, or your login has expired. Log in again.")
    if principal.role not in roles:
        raise PermissionDeniedException(f"The role '{principal.role}' may not do this.")
