"""One validated manifest file to job and webhook specs: defaults, value rules, schedules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bytestack_sync import contract, cron
from bytestack_sync.constants import LEASE_PREFIX
from bytestack_sync.contract import JOB, WEBHOOK, Compare, Resource
from bytestack_sync.errors import Problem
from bytestack_sync.manifest import redacted
from bytestack_sync.manifest.construct import PosDict, PosList, SecretUse, is_unresolved
from bytestack_sync.manifest.diagnostics import find_key, node_location
from bytestack_sync.manifest.models import (
    REQUIRED_UNLESS_DEFAULTED,
    SECRET_FIELDS,
    JobModel,
    ManifestModel,
    WebhookModel,
)
from bytestack_sync.model import JobSpec, Location, WebhookSpec
from bytestack_sync.secrets import MIN_REDACT_LENGTH

# Views of the table read once per entry, computed once: a manifest may hold 10,000 jobs.
_JOB_KEY, _WEBHOOK_KEY = JOB.key, WEBHOOK.key
_JOB_SECRETS = SECRET_FIELDS[JOB.kind]
_WEBHOOK_FIELDS = WEBHOOK.declared
# A job's fields that only the job itself can give, and those its file's defaults may.
_JOB_OWN = tuple(name for name in JOB.declared if name not in JOB.defaultable)
_DEFAULTABLE = JOB.defaultable
# How a declared value becomes a spec's: the form the tool sends and compares.
_NORMALISE: dict[Compare, Callable[[Any], Any]] = {
    Compare.STRIPPED: str.strip,
    Compare.SCHEDULE: str.strip,
    Compare.SET: frozenset,
    Compare.OPTIONAL: lambda value: value or None,  # "" is none
}


def _normalisers(resource: Resource) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Per declared field, how its value becomes a spec's (stripped text, sets, "" as None)."""
    return tuple(
        (f.name, _NORMALISE[f.compare])
        for f in resource.fields
        if f.declared and f.compare in _NORMALISE
    )


_JOB_NORMALISERS, _WEBHOOK_NORMALISERS = _normalisers(JOB), _normalisers(WEBHOOK)


@dataclass
class ScheduleUse:
    """A job's parsed schedule, kept until the merged max_runs_per_day is known."""

    runs_per_day: int
    origin: PosDict  # located only if a warning needs it: most never do
    file: str
    expression: str
    sensitive: bool
    # What it means, when it ORs its day fields (see ``cron.Schedule.days_ored``).
    ored_meaning: str = ""

    @property
    def location(self) -> Location:
        found = find_key(self.origin, "schedule")
        return node_location(found[1] if found else self.origin.node, self.file)


@dataclass(frozen=True)
class Identity:
    """A job name or webhook url as declared, for the duplicate check across files."""

    value: str
    location: Location
    sensitive: bool


@dataclass
class FileSpecs:
    job_names: list[Identity] = field(default_factory=list)
    webhook_urls: list[Identity] = field(default_factory=list)
    jobs: list[JobSpec] = field(default_factory=list)
    webhooks: list[WebhookSpec] = field(default_factory=list)
    schedules: list[ScheduleUse] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class FileBuilder:
    """Builds the specs of one file; ``raw`` is the constructed document the model came from."""

    def __init__(self, file: str, model: ManifestModel, raw: PosDict | None) -> None:
        self.file = file
        self.model = model
        self.out = FileSpecs()
        defaults = raw.get("defaults") if raw is not None else None
        self.raw_defaults = defaults if isinstance(defaults, PosDict) else None
        self._given_defaults = model.defaults.model_fields_set
        # Defaults fields that failed validation (set by the partial build): a job
        # without the field may only be missing that default, so it is not told so.
        self.broken_defaults: set[str] = set()
        # Defaults fields whose value is invalid: reported once, where it is written.
        self._bad_defaults: set[str] = set()
        self._default_schedule: str | None = None

    def build(
        self,
        jobs: Iterable[tuple[JobModel, PosDict, bool]],
        webhooks: Iterable[tuple[WebhookModel, PosDict, bool]],
    ) -> FileSpecs:
        """Specs of the entries; one whose ``emit`` is false is only checked (it is broken)."""
        self._check_defaults()
        for job, raw_job, emit in jobs:
            self._job(job, raw_job, emit)
        for webhook, raw_webhook, emit in webhooks:
            self._webhook(webhook, raw_webhook, emit)
        return self.out

    def location(self, raw: PosDict | None, key: str | None = None) -> Location:
        if raw is None:
            return Location(self.file, 1, 1)
        found = find_key(raw, key) if key is not None else None
        return node_location(found[1] if found else raw.node, self.file)

    def _error(self, raw: PosDict | None, key: str | None, message: str) -> None:
        self.out.problems.append(Problem(self.location(raw, key), message))

    def _check_defaults(self) -> None:
        """Each default is checked once, however many jobs inherit it."""
        raw, defaults = self.raw_defaults, self.model.defaults
        if raw is None:
            return
        if "schedule" in self._given_defaults and defaults.schedule is not None:
            self._default_schedule = self._schedule(defaults.schedule, raw)
            if self._default_schedule is None:
                self._bad_defaults.add("schedule")
        url = defaults.webhook_url if "webhook_url" in self._given_defaults else None
        if url and not self._url_ok(raw, "webhook_url", url):
            self._bad_defaults.add("webhook_url")

    def _job(self, job: JobModel, raw: PosDict, emit: bool) -> None:
        values: dict[str, Any] = {name: getattr(job, name) for name in _JOB_OWN}
        origins: dict[str, PosDict] = {}
        inherited: set[str] = set()
        given = job.model_fields_set
        defaults = self.model.defaults
        for name in _DEFAULTABLE:
            # A null default is no default (for webhook_url the two mean the same).
            default = getattr(defaults, name) if name in self._given_defaults else None
            if name not in given and default is not None and self.raw_defaults:
                values[name] = default
                origins[name] = self.raw_defaults
                inherited.add(name)
            else:
                values[name] = getattr(job, name)
                origins[name] = raw
        ok = self._check_job(job, raw, values, inherited)
        if "schedule" in inherited:
            values["schedule"] = self._default_schedule
        else:
            values["schedule"] = self._schedule(values["schedule"], raw)
        sensitive, templates = _secrets(_JOB_SECRETS, raw, origins)
        location = node_location(raw.node, self.file)
        if emit and not is_unresolved(raw, _JOB_KEY):
            identity = Identity(job.name, location, _JOB_KEY in sensitive)
            self.out.job_names.append(identity)
        if not ok or not emit:
            return
        for name in REQUIRED_UNLESS_DEFAULTED:
            if values[name] is None:  # reported, as was an invalid schedule (None too)
                return
        for name, normalise in _JOB_NORMALISERS:
            values[name] = normalise(values[name])
        self.out.jobs.append(
            JobSpec(**values, sensitive=sensitive, templates=templates, location=location)
        )

    def _check_job(
        self, job: JobModel, raw: PosDict, values: dict[str, Any], inherited: set[str]
    ) -> bool:
        count = len(self.out.problems)
        for required in REQUIRED_UNLESS_DEFAULTED:
            missing_default = required not in job.model_fields_set and (
                required in self.broken_defaults
            )
            if values[required] is None and not missing_default:
                self._error(raw, None, f"job has no {required} (set it here or in defaults)")
        if job.name.startswith(LEASE_PREFIX) and not is_unresolved(raw, "name"):
            reserved = f"job names starting {LEASE_PREFIX!r} are reserved for the apply lock"
            self._error(raw, "name", reserved)
        reason = None if is_unresolved(raw, "prompt") else contract.check_prompt(job.prompt)
        if reason:
            self._error(raw, "prompt", reason)
        url = values["webhook_url"]
        if url and "webhook_url" not in inherited:
            self._url_ok(raw, "webhook_url", url)
        # An inherited invalid default was reported at the defaults.
        return len(self.out.problems) == count and not (inherited & self._bad_defaults)

    def _url_ok(self, raw: PosDict, key: str, url: str) -> bool:
        if is_unresolved(raw, key):
            return True
        reason = _check_url(url, _is_secret(raw, key))
        if reason:
            self._error(raw, key, f"{key} {reason}")
        return reason is None

    def _schedule(self, expression: str | None, origin: PosDict) -> str | None:
        if expression is None:
            return None
        if is_unresolved(origin, "schedule"):
            return expression
        hidden = _is_secret(origin, "schedule")
        try:
            parsed = cron.parse(expression)
        except cron.CronError as exc:
            if hidden:
                reason = redacted.schedule_reason(expression)
                message = f"invalid schedule {redacted.MARK}: {reason}"
            else:
                message = f"invalid schedule {expression!r}: {exc}"
            self._error(origin, "schedule", message)
            return None
        meaning = parsed.describe() if parsed.days_ored else ""
        use = ScheduleUse(_runs_per_day(parsed), origin, self.file, expression, hidden, meaning)
        self.out.schedules.append(use)
        return expression

    def _webhook(self, webhook: WebhookModel, raw: PosDict, emit: bool) -> None:
        ok = self._url_ok(raw, _WEBHOOK_KEY, webhook.url)
        sensitive, templates = _secrets(SECRET_FIELDS[WEBHOOK.kind], raw, {})
        if emit and not is_unresolved(raw, _WEBHOOK_KEY):
            identity = Identity(webhook.url, self.location(raw), _WEBHOOK_KEY in sensitive)
            self.out.webhook_urls.append(identity)
        if not ok or not emit:
            return
        values = {name: getattr(webhook, name) for name in _WEBHOOK_FIELDS}
        for name, normalise in _WEBHOOK_NORMALISERS:
            values[name] = normalise(values[name])
        self.out.webhooks.append(
            WebhookSpec(
                **values, sensitive=sensitive, templates=templates, location=self.location(raw)
            )
        )


_RUNS_PER_DAY: dict[str, int] = {}
_URL_REASONS: dict[str, str | None] = {}


def _check_url(url: str, sensitive: bool) -> str | None:
    # Many jobs of a large manifest share one URL; check each once.
    if url not in _URL_REASONS:
        if len(_URL_REASONS) > 10_000:
            _URL_REASONS.clear()
        _URL_REASONS[url] = contract.check_url(url)
    reason = _URL_REASONS[url]
    return redacted.without_quotes(reason) if reason and sensitive else reason


def _is_secret(raw: PosDict, key: str) -> bool:
    return bool(raw.secrets and key in raw.secrets)


def _runs_per_day(schedule: cron.Schedule) -> int:
    # Thousands of jobs share a handful of schedules; count each one once.
    key = schedule.canonical
    runs = _RUNS_PER_DAY.get(key)
    if runs is None:
        runs = _RUNS_PER_DAY[key] = schedule.runs_per_day()
    return runs


def _secrets(
    secret_fields: frozenset[str], raw: PosDict, origins: dict[str, PosDict]
) -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
    """The sensitive fields of a spec and their templates, wherever each value came from:
    ``origins`` names where a defaultable field's value was taken; any other is ``raw``'s."""
    found: dict[str, str] = {}
    if raw.secrets:
        for name in secret_fields:
            if name in raw.secrets and name not in origins:
                found[name] = raw.secrets[name]
    for name, origin in origins.items():
        if origin.secrets and name in origin.secrets:
            found[name] = origin.secrets[name]
    return frozenset(found), tuple(sorted(found.items()))


def misplaced_secrets(uses: list[SecretUse], raw: Any, file: str) -> list[Problem]:
    """A ``${secret:...}`` is allowed only where a saved plan can re-resolve it."""
    allowed: set[tuple[int, str | int]] = set()
    if isinstance(raw, PosDict):
        for section, kind in (("jobs", "job"), ("webhooks", "webhook")):
            items = raw.get(section)
            for item in items if isinstance(items, PosList) else ():
                allowed.update((id(item), name) for name in SECRET_FIELDS[kind])
        if isinstance(raw.get("defaults"), PosDict):
            allowed.update((id(raw["defaults"]), name) for name in SECRET_FIELDS["defaults"])
    fields = sorted(SECRET_FIELDS["job"] | SECRET_FIELDS["webhook"])
    problems = []
    for use in uses:
        where = node_location(use.node, file)
        if (id(use.owner), use.key) not in allowed:
            problems.append(
                Problem(where, "${secret:...} may be used only in the fields " + ", ".join(fields))
            )
            continue
        value = use.owner[use.key]  # type: ignore[index]
        if isinstance(value, str) and value.strip() and len(value) < MIN_REDACT_LENGTH:
            # Hiding so short a value would scrub ordinary words: output could not
            # keep it secret.
            problems.append(Problem(where, _TOO_SHORT.format(n=len(value))))
    return problems


_TOO_SHORT = (
    "a secret value of {n} character(s) cannot be kept out of the output (hiding one "
    f"shorter than {MIN_REDACT_LENGTH} would scrub ordinary words): use a longer value"
)
