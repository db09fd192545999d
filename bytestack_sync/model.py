"""The desired state: what the manifests declare, after loading, interpolation and validation.

These are plain frozen values. The manifest package builds them; the planner reads
them next to the live state (``bytestack_sync.api.models``) and never sees YAML.
"""

from __future__ import annotations

import enum
import fnmatch
from dataclasses import dataclass, field

from bytestack_sync import contract


@dataclass(frozen=True, order=True)
class Location:
    """Where a value was declared: 1-based line and column, as editors count."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


class PruneMode(str, enum.Enum):
    """What happens to live resources that no manifest declares."""

    DELETE = "delete"
    PAUSE = "pause"
    OFF = "off"


def _masked_repr(spec: JobSpec | WebhookSpec) -> str:
    """A repr that shows sensitive fields only by fingerprint."""
    from dataclasses import fields

    from bytestack_sync.secrets import sensitive_display

    parts = []
    for f in fields(spec):
        if f.name in ("templates", "location"):
            continue
        value = getattr(spec, f.name)
        if f.name in spec.sensitive and isinstance(value, str):
            value = sensitive_display(value)
        parts.append(f"{f.name}={value!r}")
    return f"{type(spec).__name__}({', '.join(parts)})"


@dataclass(frozen=True, repr=False)
class JobSpec:
    """A declared job. ``prompt`` is already stripped; ``webhook_url`` "" is None."""

    name: str
    prompt: str
    sources: frozenset[str]
    schedule: str
    status: str = contract.DEFAULT_JOB_STATUS
    webhook_url: str | None = None
    protect: bool = False
    # Field names whose value came from a ${secret:...} interpolation.
    sensitive: frozenset[str] = frozenset()
    # (field, text as written before interpolation) for each sensitive field, so a
    # saved plan can hold the reference instead of the value and re-resolve it.
    templates: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    location: Location | None = field(default=None, compare=False)

    def __repr__(self) -> str:
        return _masked_repr(self)


@dataclass(frozen=True, repr=False)
class WebhookSpec:
    """A declared webhook; its identity is ``url``."""

    url: str
    events: frozenset[str] = frozenset(contract.DEFAULT_EVENTS)
    sensitive: frozenset[str] = frozenset()
    templates: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    location: Location | None = field(default=None, compare=False)

    def __repr__(self) -> str:
        return _masked_repr(self)


@dataclass(frozen=True)
class IgnoreRules:
    """Glob patterns of live resources that are never touched unless declared."""

    jobs: tuple[str, ...] = ()
    webhooks: tuple[str, ...] = ()

    def ignores_job(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, p) for p in self.jobs)

    def ignores_webhook(self, url: str) -> bool:
        return any(fnmatch.fnmatchcase(url, p) for p in self.webhooks)


@dataclass(frozen=True)
class SafetySettings:
    max_destroy_percent: float = 25.0
    max_runs_per_day: int = contract.DEFAULT_MAX_RUNS_PER_DAY


@dataclass(frozen=True)
class DesiredState:
    """Everything the manifests declare, merged across files."""

    jobs: tuple[JobSpec, ...] = ()
    webhooks: tuple[WebhookSpec, ...] = ()
    prune: PruneMode = PruneMode.DELETE
    ignore: IgnoreRules = IgnoreRules()
    safety: SafetySettings = SafetySettings()
    # The resolved value of every sensitive field; a live value equal to one of these
    # is sensitive too.
    sensitive_values: frozenset[str] = field(default=frozenset(), repr=False)
    files: tuple[str, ...] = ()
    # Values sensitive in the manifest tree's files outside the paths given: nothing
    # here declares them, but any output must mask them.
    tree_secrets: frozenset[str] = frozenset()
    # The resources those files declare with sensitive fields, as (resource type,
    # identity, field names): a live resource of that identity holds those fields'
    # former values, which are sensitive too.
    tree_sensitive: tuple[tuple[str, str, frozenset[str]], ...] = field(default=(), repr=False)
    # What loading them warned of, each as printed: a plan carries these with its own.
    warnings: tuple[str, ...] = ()

    def plain_values(self) -> frozenset[str]:
        """Every text the declared resources hold in a field not marked sensitive:
        public already, so never a secret to mask."""
        values: set[str] = set()
        specs: tuple[JobSpec | WebhookSpec, ...] = (*self.jobs, *self.webhooks)
        for spec in specs:
            for name, value in vars(spec).items():
                if name in spec.sensitive or name in ("templates", "location", "sensitive"):
                    continue
                if isinstance(value, str):
                    values.add(value)
                elif isinstance(value, frozenset):
                    values.update(item for item in value if isinstance(item, str))
        return frozenset(values)
