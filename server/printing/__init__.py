"""Sending rendered labels to printers (the labels package's transports), with errors people understand."""

from server.printing.service import send_label

__all__ = ["send_label"]
