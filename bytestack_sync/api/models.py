"""The live resources as the API returns them. Tolerant: unknown fields are ignored.

``LiveJob`` and ``LiveWebhook`` are written out for mypy, in the order saved-plan
digests list their fields; which fields they have, their defaults and which may
hold a secret are the contract's table, and a test holds them to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from bytestack_sync.contract import JOB, WEBHOOK


class _Live(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    # Fields that may hold a secret (a webhook URL with a token in it): a repr, and so
    # any traceback or debug line built from one, shows only their fingerprint. A live
    # value does not say whether it came from a secret, so every such field is masked.
    _masked_in_repr: ClassVar[frozenset[str]] = frozenset()

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        from bytestack_sync.secrets import sensitive_display

        for name, value in super().__repr_args__():
            if name in self._masked_in_repr and isinstance(value, str):
                yield name, sensitive_display(value)
            else:
                yield name, value


class LiveJob(_Live):
    _masked_in_repr: ClassVar[frozenset[str]] = JOB.secret_fields

    id: str
    name: str
    prompt: str
    sources: tuple[str, ...]
    schedule: str
    webhook_url: str | None = None
    status: str = JOB.field("status").api_default
    next_run_at: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class LiveWebhook(_Live):
    _masked_in_repr: ClassVar[frozenset[str]] = WEBHOOK.secret_fields

    id: str
    url: str
    events: tuple[str, ...] = WEBHOOK.field("events").api_default
    created_at: str | None = None


class QueryResult(_Live):
    summary: str = ""
    total_results: int = 0
    records: tuple[dict[str, Any], ...] = ()


class Query(_Live):
    id: str
    status: str
    created_at: str | None = None
    completed_at: str | None = None
    prompt: str | None = None
    sources: tuple[str, ...] = ()
    result: QueryResult | None = None
    error: str | None = None


class StorageFile(_Live):
    key: str
    size_bytes: int = Field(default=0)
    created_at: str | None = None
