"""Digests: of live resources as read (stale-plan checks), of the desired state, and the
sensitive-value references a saved plan holds instead of values.

A sensitive value is written as ``{"template": "${secret:VAR}", "fingerprint": "1a2b3c4d"}``:
the text as written in the manifest (so it can be resolved again from the
environment) and the 8-digit fingerprint every output shows. Never the value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.model import DesiredState, JobSpec, WebhookSpec
from bytestack_sync.secrets import fingerprint


def value_digest(value: str) -> str:
    """A full SHA-256, used as a key for a sensitive value without holding the value."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _json_digest(document: Any) -> str:
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return value_digest(text)


def live_digest(live: LiveJob | LiveWebhook) -> str:
    """What a live resource was when read, ignoring fields the API moves by itself.

    ``next_run_at`` advances after every run and ``updated_at`` moves on no-op
    writes: neither means that someone changed the resource.
    """
    document = live.model_dump(exclude={"next_run_at", "updated_at", "created_at"})
    for name in ("sources", "events"):
        if name in document:
            document[name] = sorted(document[name])
    return _json_digest(document)


def template_index(desired: DesiredState) -> dict[str, str]:
    """{digest of a sensitive value: the text it was written as}, over every spec."""
    index: dict[str, str] = {}
    specs: Iterable[JobSpec | WebhookSpec] = (*desired.jobs, *desired.webhooks)
    for spec in specs:
        for name, template in spec.templates:
            value = getattr(spec, name, None)
            if isinstance(value, str):
                index.setdefault(value_digest(value), template)
    return index


@dataclass(frozen=True)
class SecretCodec:
    """Turns sensitive values into references; knows every declared secret."""

    secrets: frozenset[str] = frozenset()
    templates: Mapping[str, str] = field(default_factory=dict)

    def is_secret(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.secrets

    def encode(self, value: Any, sensitive: bool = False) -> Any:
        """The value itself, or a reference when it is sensitive or a declared secret."""
        if not isinstance(value, str) or not (sensitive or value in self.secrets):
            return value
        return {
            "template": self.templates.get(value_digest(value)),
            "fingerprint": fingerprint(value),
        }


def _spec_document(spec: JobSpec | WebhookSpec, codec: SecretCodec) -> dict[str, Any]:
    names = (
        ("url", "events")
        if isinstance(spec, WebhookSpec)
        else ("name", "prompt", "sources", "schedule", "status", "webhook_url", "protect")
    )
    document: dict[str, Any] = {}
    for name in names:
        value = getattr(spec, name)
        if isinstance(value, frozenset):
            value = sorted(value)
        document[name] = codec.encode(value, name in spec.sensitive)
    return document


def manifest_digest(desired: DesiredState, codec: SecretCodec) -> str:
    """SHA-256 over the canonical desired state; secrets enter only as references."""
    jobs = sorted((_spec_document(j, codec) for j in desired.jobs), key=lambda d: str(d["name"]))
    hooks = sorted(
        (_spec_document(w, codec) for w in desired.webhooks), key=lambda d: str(d["url"])
    )
    document = {
        "jobs": jobs,
        "webhooks": hooks,
        "prune": desired.prune.value,
        "ignore": {"jobs": list(desired.ignore.jobs), "webhooks": list(desired.ignore.webhooks)},
        "safety": {
            "max_destroy_percent": desired.safety.max_destroy_percent,
            "max_runs_per_day": desired.safety.max_runs_per_day,
        },
    }
    return _json_digest(document)
