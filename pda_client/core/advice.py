"""What to do about a write the server refused when the queue replayed it (the stock moved meanwhile, someone
else took the task, a check digit was mistyped): a sentence for the worker, keyed for translation."""

from __future__ import annotations

from pda_client.core.queue import Entry

# by the server's problem code (see server/errors.py and the areas' DomainErrors)
BY_CODE: dict[str, tuple[str, str]] = {
    "insufficient_stock": ("advice_stock", "The stock moved meanwhile: look the location up and do it again."),
    "wrong_location": ("advice_location", "Go back to the location, scan its label and do it again."),
    "wrong_check_digits": ("advice_location", "Go back to the location, scan its label and do it again."),
    "wrong_item": ("advice_item", "Check the item in your hand and scan it again."),
    "wrong_lot": ("advice_item", "Check the item in your hand and scan it again."),
    "over_pick": ("advice_qty", "Count again and enter what you really have."),
    "task_final": ("advice_done", "Someone already finished this task: nothing more to do."),
    "task_held_by_other": ("advice_supervisor", "Another worker holds this task: ask your supervisor."),
    "batch_held_by_other": ("advice_supervisor", "Another worker holds this batch: ask your supervisor."),
    "batch_not_claimed": ("advice_supervisor", "The batch was taken back: ask your supervisor."),
    "location_full": ("advice_other_location", "The location cannot take it: put it where the handheld says."),
    "location_blocked": ("advice_other_location", "The location cannot take it: put it where the handheld says."),
    "location_unsuitable": ("advice_other_location", "The location cannot take it: put it where the handheld says."),
    "already_received": ("advice_done", "It was received already: nothing more to do."),
    "lot_required": ("advice_gs1", "Scan the GS1 label with lot and expiry, not the plain barcode."),
    "over_receipt": ("advice_supervisor", "More than was ordered: ask your supervisor."),
    "receipt_closed": ("advice_supervisor", "The receipt was closed: ask your supervisor."),
}
DEFAULT = ("advice_supervisor", "Show this to your supervisor.")


def advice(entry: Entry) -> tuple[str, str]:
    """``(key, English sentence)`` saying what the worker does about a refused write."""
    code = entry.reply.get("code", "") if isinstance(entry.reply, dict) else ""
    if code in BY_CODE:
        return BY_CODE[code]
    if entry.status == 404:
        return ("advice_gone", "It no longer exists on the server: nothing more to do.")
    return DEFAULT
