"""Load every manifest the paths name and merge them into one desired state.

``jobs`` and ``webhooks`` concatenate; ``defaults`` stay within their file;
``prune``, ``ignore`` and ``safety`` may be set in one file only. Every problem in
every file is collected before anything is raised, so a user fixes them in one pass.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bytestack_sync.collector import collector_paused
from bytestack_sync.errors import ManifestError, NothingToPlanError, Problem
from bytestack_sync.manifest.build import Identity
from bytestack_sync.manifest.construct import MISSING_VARIABLE
from bytestack_sync.manifest.diagnostics import find_key, node_location
from bytestack_sync.manifest.document import Document, load_document
from bytestack_sync.manifest.files import SUFFIXES, find_files
from bytestack_sync.manifest.models import SINGLETON_SECTIONS
from bytestack_sync.manifest.tree import survey_tree
from bytestack_sync.model import (
    DesiredState,
    IgnoreRules,
    Location,
    PruneMode,
    SafetySettings,
)
from bytestack_sync.secrets import Redactor, sensitive_display

NOTHING_TO_PLAN = "refusing to plan the deletion of everything"


@dataclass(frozen=True)
class LoadedManifests:
    """A valid desired state, with the warnings found on the way and what was read."""

    desired: DesiredState
    warnings: list[Problem]
    file_count: int

    @property
    def job_count(self) -> int:
        return len(self.desired.jobs)

    @property
    def webhook_count(self) -> int:
        return len(self.desired.webhooks)


@dataclass(frozen=True)
class NothingToPlan:
    """Why the input would delete everything, said for the command that meets it.

    plan and apply can be forced; validate cannot, so its message offers no --force.
    """

    for_plan: str
    for_validate: str
    where: str | None = None  # the path it is about, when it is about one


@dataclass
class Collection:
    """Everything found, valid or not: what ``validate`` reports and ``load_manifests`` raises."""

    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    desired: DesiredState = field(default_factory=DesiredState)
    job_count: int = 0
    webhook_count: int = 0
    nothing_to_plan: NothingToPlan | None = None  # why the input would delete everything

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def load_manifests(
    paths: Sequence[str], *, environ: Mapping[str, str] | None = None, allow_empty: bool = False
) -> LoadedManifests:
    """The merged desired state; raises ManifestError with every problem, or NothingToPlanError."""
    collection = collect(paths, environ=environ)
    if collection.errors:
        raise ManifestError(collection.problems)
    if collection.nothing_to_plan and not allow_empty:
        raise NothingToPlanError(collection.nothing_to_plan.for_plan)
    return LoadedManifests(collection.desired, collection.warnings, len(collection.files))


def collect(
    paths: Sequence[str],
    *,
    environ: Mapping[str, str] | None = None,
    allow_missing_env: bool = False,
) -> Collection:
    """Every problem in every file, and the desired state of what is valid.

    ``allow_missing_env`` (for checks where secrets are not at hand, such as a
    pre-commit hook) reports unset variables as warnings and leaves the values that
    use them unchecked.
    """
    with collector_paused():
        collection = _collect(paths, os.environ if environ is None else environ)
    if allow_missing_env:
        collection.problems = _missing_env_allowed(collection.problems)
    return collection


def _missing_env_allowed(problems: list[Problem]) -> list[Problem]:
    prefix, suffix = MISSING_VARIABLE.split("{name}")
    unresolved = {
        p.location for p in problems if p.message.startswith(prefix) and suffix in p.message
    }
    kept = []
    for problem in problems:
        if problem.location not in unresolved:
            kept.append(problem)
        elif problem.message.startswith(prefix):
            message = problem.message + "; the value that uses it is not checked"
            kept.append(Problem(problem.location, message, "warning"))
    return kept


def _collect(paths: Sequence[str], env: Mapping[str, str]) -> Collection:
    found = find_files(paths)
    collection = Collection(files=found.files, problems=list(found.problems))
    documents = [load_document(file, env) for file in found.files]
    for document in documents:
        collection.problems.extend(document.problems)
        collection.job_count += document.declared_jobs
        collection.webhook_count += document.declared_webhooks
    merger = _Merger(documents)
    settled = {s for d in documents if d.raw is not None for s in SINGLETON_SECTIONS if s in d.raw}
    survey = survey_tree(paths, documents, settled, env)
    desired = merger.desired()
    # A value the paths given write in plain text is public already: a neighbour's
    # secret equal to it (``sources: ['${secret:SRC}']`` with SRC=x) masks nothing.
    tree_secrets = frozenset(survey.secrets) - desired.sensitive_values - desired.plain_values()
    collection.desired = dataclasses.replace(
        desired, tree_secrets=tree_secrets, tree_sensitive=tuple(survey.sensitive)
    )
    collection.problems.extend(merger.problems + survey.problems)
    secrets = collection.desired.sensitive_values | tree_secrets
    collection.problems = sorted(_scrubbed(collection.problems, secrets))
    collection.nothing_to_plan = _nothing_to_plan(found.empty_directories, collection)
    return collection


def _nothing_to_plan(empty_directories: list[str], collection: Collection) -> NothingToPlan | None:
    if empty_directories:
        directory = empty_directories[0]
        patterns = ", ".join(f"*{suffix}" for suffix in SUFFIXES)
        return NothingToPlan(
            for_plan=f"{NOTHING_TO_PLAN}: {directory} holds no manifest file ({patterns})",
            for_validate=f"no manifest files found in {directory} ({patterns})",
            where=directory,
        )
    desired = collection.desired
    if not desired.jobs and not desired.webhooks and desired.prune is not PruneMode.OFF:
        shown = ", ".join(collection.files) or "the manifests"
        verb = "declares" if len(collection.files) == 1 else "declare"
        reason = f"{shown} {verb} no job and no webhook"
        return NothingToPlan(
            for_plan=f"{NOTHING_TO_PLAN}: {reason} "
            "(set prune: off to manage nothing, or use --force)",
            for_validate=f"{reason}: plan and apply would refuse to delete everything "
            "(set prune: off to manage nothing)",
        )
    return None


def _scrubbed(problems: list[Problem], secrets: frozenset[str]) -> list[Problem]:
    """No message may carry a sensitive value, whatever path produced it."""
    redact = Redactor(secrets)
    return [Problem(p.location, redact(p.message), p.severity) for p in problems]


class _Merger:
    def __init__(self, documents: list[Document]) -> None:
        self.documents = documents
        self.problems: list[Problem] = []

    def desired(self) -> DesiredState:
        settings = self._singletons()
        safety = settings.get("safety")
        limits = safety.model.safety if safety else None
        max_runs = limits.max_runs_per_day if limits else SafetySettings().max_runs_per_day
        self._schedule_warnings(max_runs)
        self._duplicates()
        jobs = {job.name: job for d in reversed(self.documents) for job in reversed(d.specs.jobs)}
        hooks = {w.url: w for d in reversed(self.documents) for w in reversed(d.specs.webhooks)}
        prune, ignore = settings.get("prune"), settings.get("ignore")
        ignore_model = ignore.model.ignore if ignore else None
        return DesiredState(
            # With duplicates (an error) the first declaration stands, in declaration order.
            jobs=tuple(reversed(jobs.values())),
            webhooks=tuple(reversed(hooks.values())),
            prune=prune.model.prune if prune else DesiredState().prune,
            ignore=IgnoreRules(tuple(ignore_model.jobs), tuple(ignore_model.webhooks))
            if ignore_model
            else IgnoreRules(),
            safety=SafetySettings(limits.max_destroy_percent, limits.max_runs_per_day)
            if limits
            else SafetySettings(),
            sensitive_values=frozenset().union(*(d.sensitive_values for d in self.documents)),
            files=tuple(d.file for d in self.documents),
        )

    def _singletons(self) -> dict[str, Document]:
        first: dict[str, tuple[Document, Location]] = {}
        for document in self.documents:
            for section in SINGLETON_SECTIONS:
                if document.raw is None or section not in document.raw:
                    continue
                where = _key_location(document, section)
                if section in first:
                    earlier = first[section][1]
                    message = f"{section} is already set at {earlier}; set it in one file only"
                    self.problems.append(Problem(where, message))
                else:
                    first[section] = (document, where)
        return {section: found[0] for section, found in first.items()}

    def _schedule_warnings(self, max_runs: int) -> None:
        for document in self.documents:
            for use in document.specs.schedules:
                shown = "schedule" if use.sensitive else f"schedule {use.expression!r}"
                if use.runs_per_day > max_runs:
                    message = (
                        f"{shown} fires {use.runs_per_day} times a day, more than "
                        f"safety.max_runs_per_day ({max_runs})"
                    )
                    self.problems.append(Problem(use.location, message, "warning"))
                if use.ored_meaning:
                    # A secret schedule's meaning would tell the secret: only the rule.
                    fires = "on a day either matches" if use.sensitive else use.ored_meaning
                    message = (
                        f"{shown} restricts both day-of-month and day-of-week, which cron "
                        f"ORs: it fires {fires}, not only on days that match both"
                    )
                    self.problems.append(Problem(use.location, message, "warning"))

    def _duplicates(self) -> None:
        for kind, attribute in (("job name", "job_names"), ("webhook url", "webhook_urls")):
            seen: dict[str, Identity] = {}
            for document in self.documents:
                for identity in getattr(document.specs, attribute):
                    earlier = seen.setdefault(identity.value, identity)
                    if earlier is not identity:
                        shown = _shown(identity.value, identity.sensitive)
                        message = f"duplicate {kind} {shown} (first declared at {earlier.location})"
                        self.problems.append(Problem(identity.location, message))


def _shown(value: str, sensitive: bool) -> str:
    return sensitive_display(value) if sensitive else repr(value)


def _key_location(document: Document, key: str) -> Location:
    assert document.raw is not None
    found = find_key(document.raw, key)
    return node_location(found[0] if found else document.raw.node, document.file)
