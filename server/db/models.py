"""Every table, imported in one place so that Alembic and `create_all` see the whole schema."""

from server.catalog.models import Barcode, Sku
from server.idempotency.models import IdempotentReply
from server.identity.models import ApiKey, AuthToken, Device, Owner, User, Warehouse
from server.inventory.models import Movement, Stock
from server.layout.models import Location, Zone

__all__ = [
    "ApiKey",
    "AuthToken",
    "Barcode",
    "Device",
    "IdempotentReply",
    "Location",
    "Movement",
    "Owner",
    "Sku",
    "Stock",
    "User",
    "Warehouse",
    "Zone",
]
