"""Digests: of live resources as read (stale-plan checks), of the desired state, and the
sensitive-value references a saved plan holds instead of values.

A sensitive value is written as ``{"template": "${secret:VAR}", "fingerprint": "1a2b3c4d"}``:
the text as written in the manifest (so it can be resolved again from the
environment) and the 8-digit fingerprint every output shows. Never the value.
"""

from __future__ import annotations

import functools
import hashlib
import operator
from collections.abc import Callable, ItemsView, Iterable, Iterator, Mapping, ValuesView
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import to_json

from bytestack_sync import contract
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.model import DesiredState, JobSpec, WebhookSpec
from bytestack_sync.plan import kinds
from bytestack_sync.secrets import fingerprint


def value_digest(value: str) -> str:
    """A full SHA-256, used as a key for a sensitive value without holding the value."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _json_digest(document: Any) -> str:
    """SHA-256 of compact JSON in the document's own order (pydantic-core writes it
    several times faster than ``json.dumps``, and a plan digests thousands of them)."""
    return hashlib.sha256(to_json(document)).hexdigest()


def live_digest(live: LiveJob | LiveWebhook) -> str:
    """What a live resource was when read, ignoring fields the API moves by itself.

    ``next_run_at`` advances after every run and ``updated_at`` moves on no-op
    writes: neither means that someone changed the resource (the table marks such
    fields volatile). The rest is hashed as one flat JSON list in the live model's
    field order, sets sorted.
    """
    return live_digester(type(live))(live)


@functools.cache
def live_digester(model: type[LiveJob] | type[LiveWebhook]) -> Callable[[Any], str]:
    """``live_digest`` for one model, with its field layout worked out once."""
    table = kinds.TABLES[model]
    names = [n for n in model.model_fields if n not in table.volatile]
    read = operator.attrgetter(*names)
    sets = tuple(i for i, n in enumerate(names) if n in table.set_fields)
    sha256 = hashlib.sha256

    def digest(live: Any) -> str:
        values = list(read(live))
        for i in sets:
            values[i] = sorted(values[i])
        return sha256(to_json(values)).hexdigest()

    return digest


class LiveFingerprints(Mapping[str, str]):
    """``{live id: live_digest(live)}`` for every live resource a plan relies on.

    Only a saved plan reads the digests (``apply FILE`` compares them with a fresh
    read), so they are worked out, all at once, the first time one is read: showing
    a plan or applying it directly never pays for them. The ids are known from the
    start, and live models are frozen, so a late digest is of the resource as read.
    """

    def __init__(self, lives: Iterable[LiveJob | LiveWebhook] = ()) -> None:
        self._lives = {live.id: live for live in lives}
        self._digests: dict[str, str] | None = None

    def _all(self) -> dict[str, str]:
        if self._digests is None:
            self._digests = {key: live_digest(live) for key, live in self._lives.items()}
        return self._digests

    def __getitem__(self, key: str) -> str:
        return self._all()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._lives)

    def __len__(self) -> int:
        return len(self._lives)

    def __contains__(self, key: object) -> bool:
        return key in self._lives

    def __repr__(self) -> str:
        return repr(self._all())

    # The inherited views would look every key up one by one.
    def items(self) -> ItemsView[str, str]:
        return self._all().items()

    def values(self) -> ValuesView[str]:
        return self._all().values()


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

    def encode(self, value: Any, sensitive: bool = False) -> Any:
        """The value itself, or a reference when it is sensitive or a declared secret."""
        if not isinstance(value, str) or not (sensitive or value in self.secrets):
            return value
        return {
            "template": self.templates.get(value_digest(value)),
            "fingerprint": fingerprint(value),
        }


def _spec_rows(
    specs: Iterable[JobSpec | WebhookSpec], table: contract.Resource, codec: SecretCodec
) -> list[list[Any]]:
    """One row per spec, its declared fields in the table's order (sets sorted), the
    rows sorted by key."""
    names = table.declared
    read = operator.attrgetter(*names)
    sets = [i for i, name in enumerate(names) if name in table.set_fields]
    rows = []
    for spec in specs:
        row = list(read(spec))
        for i in sets:
            row[i] = sorted(row[i])
        if spec.sensitive or codec.secrets:
            row = [codec.encode(v, n in spec.sensitive) for n, v in zip(names, row, strict=True)]
        rows.append(row)
    # A key may be a secret's reference (a dict): its text still orders it.
    at = names.index(table.key)
    rows.sort(key=lambda row: str(row[at]))
    return rows


def manifest_digest(desired: DesiredState, codec: SecretCodec) -> str:
    """SHA-256 over the canonical desired state; secrets enter only as references.

    Each spec is one row of its fields in a fixed order, the rows sorted by key (so
    the order of files and documents does not matter), the whole dumped at once.
    """
    job, webhook = kinds.JOB.table, kinds.WEBHOOK.table
    document = {
        "job_fields": job.declared,
        "jobs": _spec_rows(desired.jobs, job, codec),
        "webhook_fields": webhook.declared,
        "webhooks": _spec_rows(desired.webhooks, webhook, codec),
        "prune": desired.prune.value,
        "ignore": {"jobs": list(desired.ignore.jobs), "webhooks": list(desired.ignore.webhooks)},
        "safety": {
            "max_destroy_percent": desired.safety.max_destroy_percent,
            "max_runs_per_day": desired.safety.max_runs_per_day,
        },
    }
    return _json_digest(document)
