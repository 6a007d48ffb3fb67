"""Every table, imported in one place so that Alembic and `create_all` see the whole schema."""

from server.catalog.models import Barcode, Sku
from server.exceptions.models import FloorException
from server.idempotency.models import IdempotentReply
from server.identity.models import ApiKey, AuthToken, Device, Owner, User, Warehouse
from server.inbound.models import (
    Asn,
    AsnLine,
    Discrepancy,
    Lpn,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    Supplier,
)
from server.integration.models import OutboxEvent
from server.inventory.models import Movement, Stock
from server.layout.models import Location, Zone
from server.outbound.models import Allocation, CartType, OrderLine, PickBatch, SalesOrder, Wave, WaveRule
from server.tasks.models import Task

__all__ = [
    "Allocation",
    "ApiKey",
    "Asn",
    "AsnLine",
    "AuthToken",
    "Barcode",
    "CartType",
    "Device",
    "Discrepancy",
    "FloorException",
    "IdempotentReply",
    "Location",
    "Lpn",
    "Movement",
    "OrderLine",
    "OutboxEvent",
    "Owner",
    "PickBatch",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "Receipt",
    "ReceiptLine",
    "SalesOrder",
    "Sku",
    "Stock",
    "Supplier",
    "Task",
    "User",
    "Warehouse",
    "Wave",
    "WaveRule",
    "Zone",
]
