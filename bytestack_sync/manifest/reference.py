"""The field reference of docs/manifest.md, generated from the models so it cannot drift.

python -m bytestack_sync.manifest.reference docs/manifest.md   # rewrite the block
"""

from __future__ import annotations

import json
import sys
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from bytestack_sync.manifest import models

BEGIN = "<!-- BEGIN GENERATED REFERENCE: python -m bytestack_sync.manifest.reference -->"
END = "<!-- END GENERATED REFERENCE -->"

SECTIONS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("Top level", models.ManifestModel),
    ("`jobs[]`", models.JobModel),
    ("`webhooks[]`", models.WebhookModel),
    ("`defaults`", models.JobDefaults),
    ("`ignore`", models.IgnoreModel),
    ("`safety`", models.SafetyModel),
)


def reference() -> str:
    """The generated block, markers included."""
    parts = [BEGIN, ""]
    for title, model in SECTIONS:
        parts += [f"### {title}", "", (model.__doc__ or "").strip(), ""]
        parts += ["| key | default | example | description |", "|---|---|---|---|"]
        for name, info in model.model_fields.items():
            parts.append(_row(model, name, info))
        parts.append("")
    parts.append(END)
    return "\n".join(parts)


def _row(model: type[BaseModel], name: str, info: FieldInfo) -> str:
    example = info.examples[0] if info.examples else None
    description = (info.description or "").replace("|", "\\|")
    return f"| `{name}` | {_default(model, name, info)} | `{_json(example)}` | {description} |"


def _default(model: type[BaseModel], name: str, info: FieldInfo) -> str:
    if model is models.JobModel and name in models.REQUIRED_UNLESS_DEFAULTED:
        return "from `defaults`, else required"
    if model is models.JobDefaults:
        return "none"
    if info.is_required():
        return "required"
    extra = info.json_schema_extra
    if isinstance(extra, dict) and "default" in extra:
        return f"`{_json(extra['default'])}`"
    value: Any = info.default
    if value is PydanticUndefined:  # pragma: no cover - every factory has a schema default
        return "-"
    return f"`{_json(getattr(value, 'value', value))}`"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False).replace("|", "\\|")


def replace_block(document: str) -> str:
    """``document`` with the text between the markers regenerated."""
    start, end = document.index(BEGIN), document.index(END) + len(END)
    return document[:start] + reference() + document[end:]


def main(argv: list[str]) -> int:
    path = argv[0]
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(replace_block(text))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
