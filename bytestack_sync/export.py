"""The live workspace as a manifest: ``export`` then ``plan`` on the result plans nothing.

Every string is written so that loading it gives back the live value: ``${`` is
escaped as ``$${`` (the manifest would otherwise interpolate it), multi-line
prompts use literal blocks, and YAML quotes whatever needs quoting. Jobs are sorted
by name and webhooks by URL so that two exports of one workspace are identical.

The fields, and their order, are the contract's table: every declared field the API
holds. Those that force a replacement (and the identity) are always written, so a
reader sees what a change of them costs; an updatable one is left out when it holds
what a manifest that omits it means (the API's default, or none).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml
from pydantic import BaseModel

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.contract import JOB, WEBHOOK, Compare, Field, Resource, Role
from bytestack_sync.plan.leases import without_leases
from bytestack_sync.plan.order import oldest_first

# Where ``init`` writes the schema, beside the manifest.
SCHEMA_NAME = "bytestack.schema.json"
DEFAULT_SCHEMA_REF = f"./{SCHEMA_NAME}"

HEADER = """\
# yaml-language-server: $schema={schema}
#
# Exported from the live ByteStack workspace by bytestack-sync export.
# Webhook URLs are written as they are live: before committing this file, replace
# any that hold a secret with ${{secret:VARIABLE}} and set that variable where plan
# and apply run.
version: 1
"""


class _Flow(list[str]):
    """A list written on one line: ``[reddit, x]``."""


class _Quoted(str):
    """A string always written double-quoted (cron fields read as YAML syntax)."""


# Text that every YAML reader takes as a plain string (PyYAML still quotes yes/null):
# starts with a letter, holds no comment, flow or escape character. Anything else is
# double-quoted, since readers disagree on plain scalars such as 1e3 or 0o17.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.,;:/?!()&'+=%@~-]*(?<! )")


class _Dumper(yaml.SafeDumper):
    def represent_str(self, data: str) -> yaml.ScalarNode:
        # PyYAML falls back to a quoted style by itself when a block cannot hold the
        # text exactly (trailing spaces, say).
        if "\n" in data:
            style: str | None = "|"
        else:
            style = None if _PLAIN.fullmatch(data) else '"'
        return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _Dumper.represent_str)
_Dumper.add_representer(
    _Quoted, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", str(s), style='"')
)
_Dumper.add_representer(
    _Flow, lambda d, s: d.represent_sequence("tag:yaml.org,2002:seq", list(s), flow_style=True)
)


def escape(value: str) -> str:
    """The text that interpolates back to ``value``."""
    return value.replace("${", "$${")


def _exported(resource: Resource) -> tuple[Field, ...]:
    return tuple(f for f in resource.fields if f.declared and f.role is not Role.LOCAL)


_FIELDS = {resource.kind: _exported(resource) for resource in (JOB, WEBHOOK)}


def _omitted(field: Field, value: Any) -> bool:
    if field.role is not Role.UPDATE:
        return False
    none = value is None or (field.compare is Compare.OPTIONAL and not value)
    return none or (field.api_default is not None and value == field.api_default)


def _written(field: Field, value: Any) -> Any:
    """A live value as the manifest writes it: escaped, in the form the tool compares."""
    if field.is_set:
        return _Flow(escape(v) for v in sorted(set(value)))
    if field.compare is Compare.STRIPPED:
        return escape(value.strip())
    if field.compare is Compare.SCHEDULE:
        return _Quoted(escape(value))  # cron's * and @ read as YAML syntax unquoted
    return escape(value) if isinstance(value, str) else value


def _entry(resource: Resource, live: BaseModel) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for field in _FIELDS[resource.kind]:
        value = getattr(live, field.name)
        if not _omitted(field, value):
            entry[field.name] = _written(field, value)
    return entry


def _dump_item(entry: dict[str, Any]) -> str:
    text = yaml.dump([entry], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)
    return "".join(f"  {line}" if line.strip() else line for line in text.splitlines(True))


def _section(
    title: str, resource: Resource, shown_key: str, live: Sequence[LiveJob | LiveWebhook]
) -> str:
    """The ``title:`` list of ``live``, sorted by key; of those sharing one, the oldest."""
    if not live:
        return f"{title}: []\n"
    groups: dict[str, list[Any]] = {}
    for item in oldest_first(live):  # as the planner decides which one it keeps
        groups.setdefault(getattr(item, resource.key), []).append(item)
    parts = [f"{title}:\n"]
    for key in sorted(groups):
        kept, *others = groups[key]
        if others:
            ids = ", ".join(x.id for x in others)
            parts.append(
                f"  # {len(others) + 1} live {resource.kind}s share this {shown_key}: "
                f"exported {kept.id}, left out {ids}.\n"
                "  # A plan of this file deletes the ones left out.\n"
            )
        parts.append(_dump_item(_entry(resource, kept)))
    return "".join(parts)


def export_manifest(
    live_jobs: Sequence[LiveJob],
    live_webhooks: Sequence[LiveWebhook],
    *,
    schema_ref: str = DEFAULT_SCHEMA_REF,
) -> str:
    """The manifest YAML that declares exactly the live workspace.

    Live duplicates (jobs sharing a name, webhooks sharing a URL) cannot all be
    declared: the oldest is exported, and a comment names the others. A running
    apply's lock lease is no part of the workspace: it is left out.
    """
    return (
        HEADER.format(schema=schema_ref)
        + _section("jobs", JOB, "name", without_leases(live_jobs))
        + _section("webhooks", WEBHOOK, "URL", live_webhooks)
    )
