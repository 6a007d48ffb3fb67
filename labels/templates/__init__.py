"""Label templates: each takes a pydantic model of its data and returns a `LabelDocument`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from labels.render import LabelDocument
from labels.templates import gs1_logistic, location, lpn, product, waybill


@dataclass(frozen=True, slots=True)
class Template:
    """A template: its name, data model and layout function."""

    name: str
    model: type[BaseModel]
    layout: Callable[[Any], LabelDocument]
    description: str

    def build(self, data: BaseModel | dict[str, Any]) -> LabelDocument:
        """Validate `data` (a model or a plain dict, e.g. from JSON) and lay out the label."""
        model = data if isinstance(data, self.model) else self.model.model_validate(data)
        return self.layout(model)


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template("waybill", waybill.WaybillData, waybill.build, "4x6 in carrier waybill"),
        Template("gs1_logistic", gs1_logistic.LogisticLabelData, gs1_logistic.build, "4x6 in GS1 logistic label"),
        Template("lpn", lpn.LPNData, lpn.build, "4x2 in license plate label"),
        Template("location", location.LocationData, location.build, "4x2 in location label"),
        Template("product", product.ProductData, product.build, "2x1 in product label"),
    )
}


def get_template(name: str) -> Template:
    """The template called `name`, or KeyError listing the known ones."""
    try:
        return TEMPLATES[name]
    except KeyError:
        raise KeyError(f"unknown template {name!r}; choose one of: {', '.join(TEMPLATES)}") from None


__all__ = ["TEMPLATES", "Template", "get_template"]
