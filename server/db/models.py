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
from server.integration.webhook_models import WebhookDelivery, WebhookSubscription
from server.inventory.models import (
    CountPlan,
    CycleCount,
    InventorySettings,
    LpnParent,
    Movement,
    PickFaceRule,
    SkuCost,
    Stock,
    StockHold,
)
from server.layout.models import Location, Zone
from server.outbound.models import Allocation, CartType, OrderLine, PickBatch, SalesOrder, Wave, WaveRule
from server.returns.models import ReturnAuthorisation, ReturnLine, ReturnReceipt
from server.shipping.models import (
    Carrier,
    CarrierService,
    Carton,
    CartonType,
    LabelPrint,
    Manifest,
    PackedItem,
    PackStation,
    Shipment,
    ShippingSettings,
    TrackingEvent,
)
from server.slotting.models import SlotAssignment, SlottingPlan, SlottingPlanMove
from server.tasks.models import Task

__all__ = [
    "Allocation",
    "ApiKey",
    "Asn",
    "AsnLine",
    "AuthToken",
    "Barcode",
    "Carrier",
    "CarrierService",
    "CartType",
    "Carton",
    "CartonType",
    "CountPlan",
    "CycleCount",
    "Device",
    "Discrepancy",
    "FloorException",
    "IdempotentReply",
    "InventorySettings",
    "LabelPrint",
    "Location",
    "Lpn",
    "LpnParent",
    "Manifest",
    "Movement",
    "OrderLine",
    "OutboxEvent",
    "Owner",
    "PackStation",
    "PackedItem",
    "PickBatch",
    "PickFaceRule",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "Receipt",
    "ReceiptLine",
    "ReturnAuthorisation",
    "ReturnLine",
    "ReturnReceipt",
    "SalesOrder",
    "Shipment",
    "ShippingSettings",
    "Sku",
    "SkuCost",
    "SlotAssignment",
    "SlottingPlan",
    "SlottingPlanMove",
    "Stock",
    "StockHold",
    "Supplier",
    "Task",
    "TrackingEvent",
    "User",
    "Warehouse",
    "Wave",
    "WaveRule",
    "WebhookDelivery",
    "WebhookSubscription",
    "Zone",
]
