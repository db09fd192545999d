"""Checking the rest of a file whose validation failed.

Pydantic rejects a file as a whole; the user still deserves every problem at once,
so each broken entry is repaired with harmless stand-ins for its broken fields and
checked again for what only shows after validation (schedules, URLs, prompts,
duplicate names). Only entries whose name survived take part in duplicate checks.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bytestack_sync import contract
from bytestack_sync.contract import JOB, WEBHOOK, Resource, Type
from bytestack_sync.manifest.build import FileBuilder
from bytestack_sync.manifest.construct import PosDict, PosList
from bytestack_sync.manifest.models import JobDefaults, JobModel, ManifestModel, WebhookModel

ITEM_SECTIONS = ("jobs", "webhooks")
_RESOURCES = {"jobs": JOB, "webhooks": WEBHOOK}
# A broken field is repaired with a valid value that triggers no check of its own:
# an optional one with none, one whose value has a rule (known sources, cron, URLs)
# with a value that keeps it, any other by its type. A field with an API default
# needs no stand-in: the model's default is one.
_BY_RULE: dict[str, Any] = {
    "sources": [contract.KNOWN_SOURCES[0]],
    "schedule": "@daily",
    "url": "https://broken.invalid/",
}
_BY_TYPE: dict[Type, Any] = {Type.TEXT: "(broken)", Type.FLAG: False}


def stand_ins(resource: Resource) -> dict[str, Any]:
    """The stand-in of each declared field of ``resource`` that has no default."""
    return {
        f.name: None if f.optional else _BY_RULE.get(f.name, _BY_TYPE.get(f.type))
        for f in resource.fields
        if f.declared and f.api_default is None
    }


_STAND_INS = {section: stand_ins(resource) for section, resource in _RESOURCES.items()}
_DEFAULTS = "defaults"

Entries = list[tuple[Any, PosDict, bool]]


def items(raw: PosDict | None, section: str) -> list[Any]:
    found = raw.get(section) if raw is not None else None
    return found if isinstance(found, PosList) else []


def partial_build(
    file: str, raw: PosDict, errors: Sequence[ErrorDetails]
) -> tuple[PosDict, ManifestModel, FileBuilder, Entries, Entries]:
    locs = [tuple(e["loc"]) for e in errors if e["loc"]]
    broken_sections = {
        loc[0] for loc in locs if len(loc) == 1 or loc[0] not in (*ITEM_SECTIONS, _DEFAULTS)
    }
    broken_fields: dict[tuple[Any, ...], set[Any]] = {}
    for loc in locs:
        if len(loc) >= 2 and loc[0] in ITEM_SECTIONS:
            broken_fields.setdefault(loc[:2], set()).update(loc[2:3])
    top = {k: v for k, v in raw.items() if k not in ITEM_SECTIONS and k not in broken_sections}
    broken_defaults = {loc[1] for loc in locs if len(loc) >= 2 and loc[0] == _DEFAULTS}
    if broken_defaults and isinstance(top.get(_DEFAULTS), dict):
        # Field by field: the valid defaults still apply, and are still checked.
        top[_DEFAULTS] = {k: v for k, v in top[_DEFAULTS].items() if k not in broken_defaults}
    try:
        model = ManifestModel.model_validate(top)
    except ValidationError:
        model = ManifestModel()
    builder = FileBuilder(file, model, raw)
    if _DEFAULTS in broken_sections:
        builder.broken_defaults = set(JobDefaults.model_fields)
    else:
        builder.broken_defaults = _meant(broken_defaults)
    jobs = _entries(raw, "jobs", JobModel, broken_sections, broken_fields)
    webhooks = _entries(raw, "webhooks", WebhookModel, broken_sections, broken_fields)
    return raw, model, builder, jobs, webhooks


def _meant(broken: set[Any]) -> set[str]:
    """The defaults fields the broken keys stand for: an unknown key is likely a misspelling."""
    fields = list(JobDefaults.model_fields)
    meant = set()
    for key in broken:
        if isinstance(key, str):
            meant.update(difflib.get_close_matches(key, fields, n=1, cutoff=0.6) or [key])
    return meant


def _entries(
    raw: PosDict,
    section: str,
    model: type[BaseModel],
    broken_sections: set[Any],
    broken_fields: dict[tuple[Any, ...], set[Any]],
) -> Entries:
    if section in broken_sections:
        return []
    entries: Entries = []
    for index, item in enumerate(items(raw, section)):
        broken = broken_fields.get((section, index))
        if broken is None:
            entries.append((model.model_validate(item), item, True))
            continue
        if not isinstance(item, PosDict):
            continue
        repaired = _repaired(item, section, broken)
        if repaired is not None:
            emit = _RESOURCES[section].key not in broken
            entries.append((repaired, item, emit))
    return entries


def _repaired(item: PosDict, section: str, broken: set[Any]) -> BaseModel | None:
    model = JobModel if section == "jobs" else WebhookModel
    values = {k: v for k, v in item.items() if k not in broken and k in model.model_fields}
    for name, stand_in in _STAND_INS[section].items():
        if name in broken:
            values[name] = stand_in
    try:
        return model.model_validate(values)
    except ValidationError:  # pragma: no cover - stand-ins are valid by construction
        return None
