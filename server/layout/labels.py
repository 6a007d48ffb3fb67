"""Location labels from the layout: the code, its check digits and zone, as ZPL and as a PNG preview."""

from __future__ import annotations

from labels.preview import render_png
from labels.profiles import profile_for_dpi
from labels.render import render
from labels.templates import get_template
from server.layout.models import Location


def location_label_zpl(location: Location, zone_code: str, dpi: int = 203) -> bytes:
    data = {"code": location.code, "check_digits": location.check_digits, "zone": f"Zone {zone_code}"}
    return render(get_template("location").build(data), profile_for_dpi(dpi))


def location_label_png(location: Location, zone_code: str, dpi: int = 203) -> bytes:
    return render_png(location_label_zpl(location, zone_code, dpi), profile_for_dpi(dpi))
