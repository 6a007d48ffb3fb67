"""Bulk CSV import and export (SKUs, orders, purchase orders, stock) and the CSV core every file import shares."""
