"""Slotting: the SKU-to-slot assignment, re-slotting plans released as move tasks, slot-aware putaway."""
