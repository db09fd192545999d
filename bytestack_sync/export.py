"""The live workspace as a manifest: ``export`` then ``plan`` on the result plans nothing.

Every string is written so that loading it gives back the live value: ``${`` is
escaped as ``$${`` (the manifest would otherwise interpolate it), multi-line
prompts use literal blocks, and YAML quotes whatever needs quoting. Jobs are sorted
by name and webhooks by URL so that two exports of one workspace are identical.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

from bytestack_sync import contract
from bytestack_sync.api.models import LiveJob, LiveWebhook

# Where ``init`` writes the schema, beside the manifest.
DEFAULT_SCHEMA_REF = "./bytestack.schema.json"

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


def _job_entry(job: LiveJob) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": escape(job.name),
        "prompt": escape(contract.normalise_prompt(job.prompt)),
        "sources": _Flow(escape(s) for s in sorted(set(job.sources))),
        "schedule": _Quoted(escape(job.schedule)),
    }
    if job.status != contract.DEFAULT_JOB_STATUS:
        entry["status"] = escape(job.status)
    if job.webhook_url:
        entry["webhook_url"] = escape(job.webhook_url)
    return entry


def _webhook_entry(hook: LiveWebhook) -> dict[str, Any]:
    return {
        "url": escape(hook.url),
        "events": _Flow(escape(e) for e in sorted(set(hook.events))),
    }


def _dump_item(entry: dict[str, Any]) -> str:
    text = yaml.dump([entry], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)
    return "".join(f"  {line}" if line.strip() else line for line in text.splitlines(True))


def _oldest_first(resources: Sequence[Any]) -> list[Any]:
    return sorted(resources, key=lambda x: (x.created_at is None, x.created_at or "", x.id))


def _section(title: str, kind: str, field: str, groups: dict[str, list[Any]], dump: Any) -> str:
    if not groups:
        return f"{title}: []\n"
    parts = [f"{title}:\n"]
    for key in sorted(groups):
        kept, *others = groups[key]
        if others:
            ids = ", ".join(x.id for x in others)
            parts.append(
                f"  # {len(others) + 1} live {kind}s share this {field}: exported {kept.id}, "
                f"left out {ids}.\n  # A plan of this file deletes the ones left out.\n"
            )
        parts.append(_dump_item(dump(kept)))
    return "".join(parts)


def export_manifest(
    live_jobs: Sequence[LiveJob],
    live_webhooks: Sequence[LiveWebhook],
    *,
    schema_ref: str = DEFAULT_SCHEMA_REF,
) -> str:
    """The manifest YAML that declares exactly the live workspace.

    Live duplicates (jobs sharing a name, webhooks sharing a URL) cannot all be
    declared: the oldest is exported, and a comment names the others.
    """
    jobs: dict[str, list[LiveJob]] = {}
    for job in _oldest_first(live_jobs):
        jobs.setdefault(job.name, []).append(job)
    hooks: dict[str, list[LiveWebhook]] = {}
    for hook in _oldest_first(live_webhooks):
        hooks.setdefault(hook.url, []).append(hook)
    return (
        HEADER.format(schema=schema_ref)
        + _section("jobs", "job", "name", jobs, _job_entry)
        + _section("webhooks", "webhook", "URL", hooks, _webhook_entry)
    )
