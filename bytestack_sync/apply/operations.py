"""Carrying out one change: the API calls each action makes, and what they mean.

Retries of a single request are the client's job. What is left here is the
meaning of the calls: a replace creates before it deletes (so a failed create
leaves the old resource in place), a DELETE answered 404 is done, every create
carries an Idempotency-Key (``keys``), and a POST whose outcome is unknown is
resolved by adoption, or left unresolved, never by a re-send.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bytestack_sync import contract
from bytestack_sync.api.client import Client
from bytestack_sync.api.errors import ApiError, Conflict, NotFound, OutcomeUnknown
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.api.resources import Created
from bytestack_sync.apply.adoption import Adopter, job_matches, webhook_matches
from bytestack_sync.apply.keys import CreateKeys
from bytestack_sync.apply.report import ChangeOutcome
from bytestack_sync.contract import JOB, WEBHOOK, Resource, Role
from bytestack_sync.model import JobSpec, WebhookSpec
from bytestack_sync.plan.changes import Change, Create, Delete, Pause, Replace, Update

T = TypeVar("T", LiveJob, LiveWebhook)

# Seconds between the reads of the live list that look for a create whose outcome
# is unknown (after one read at once): the time a server may still be committing it.
SETTLE_WAITS = (0.5, 1.0, 2.0)
# How many replayed answers of deleted resources a create follows before it gives up:
# one for each time the resource was deleted and created again within the key's life
# (each costs a POST and a read). Past it, an apply that holds the workspace lock
# sends the create under a fresh random key: no other apply can be making it.
MAX_REPLAYS = 32
UNRESOLVED = "unresolved"
# The status a pause sets.
PAUSED = contract.JOB_PAUSED
# Updatable fields a create cannot carry (the API creates every job active): set by
# a PATCH right after the create when the spec wants other than the API's default.
_SET_AFTER_CREATE = tuple(f for f in JOB.fields if f.role is Role.UPDATE and not f.sent_on_create)
ADOPTED = " (adopted: the create's answer was lost but it had taken effect)"
REPLAYED = " (the API answered with what an earlier create with this Idempotency-Key made)"
FRESH = (
    f" (under a fresh Idempotency-Key: its derived keys were used by {MAX_REPLAYS} deleted copies)"
)


@dataclass(frozen=True)
class _Made:
    """A resource a create made; ``problem`` says what failed after it was made."""

    id: str
    problem: str = ""


class ChangeError(Exception):
    """A change that cannot be carried out as planned; the message is the reason."""


class Operations:
    """Runs single changes against the API. Thread-safe: one instance serves all workers."""

    def __init__(
        self,
        client: Client,
        adopter: Adopter,
        keys: CreateKeys,
        *,
        exclusive: bool = False,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._adopter = adopter
        self._keys = keys
        self._exclusive = exclusive  # the workspace lock is held: no apply races this one
        self._sleep = sleep

    def run(self, change: Change) -> ChangeOutcome:
        try:
            return self._dispatch(change)
        except (ApiError, ChangeError) as exc:
            return ChangeOutcome(change, "failed", str(exc))

    def _dispatch(self, change: Change) -> ChangeOutcome:
        if isinstance(change, Create):
            created, how = self._create(change)
            made = f"created {created.id}{how}"
            if created.problem:
                return ChangeOutcome(change, "failed", f"{made}, but {created.problem}", created.id)
            return ChangeOutcome(change, "ok", made, created.id)
        if isinstance(change, Update):
            return self._update(change)
        if isinstance(change, Replace):
            return self._replace(change)
        if isinstance(change, Pause):
            return self._pause(change)
        if isinstance(change, Delete):
            return self._delete(change)
        raise ChangeError(f"unknown action {change.action!r}")

    # --- creates ---------------------------------------------------------------------
    def _create(self, change: Change) -> tuple[_Made, str]:
        spec = change.desired
        if isinstance(spec, JobSpec):
            return self._create_job(change, spec)
        if isinstance(spec, WebhookSpec):
            return self._create_webhook(change, spec)
        raise ChangeError("the plan holds no desired state for this change")

    def _create_job(self, change: Change, spec: JobSpec) -> tuple[_Made, str]:
        fields = _request(spec, JOB, JOB.create_fields)
        job, how = self._post(
            self._keys.key(change, fields),
            lambda key: self._client.jobs.create_once(key, **fields),
            lambda tick: self._adopter.adopt_job(spec, tick),
            self._job_exists,
            lambda live: job_matches(live, spec),
        )
        # A job declared paused is paused next. The job exists whatever that PATCH
        # does, so its failure is reported along with the new id rather than as a
        # create that never happened.
        late = {
            f.name: getattr(spec, f.name)
            for f in _SET_AFTER_CREATE
            if getattr(spec, f.name) not in (f.api_default, getattr(job, f.name))
        }
        if late:
            try:
                self._client.jobs.update(job.id, late)
            except ApiError as exc:
                return _Made(job.id, f"{_setting(late)} failed: {exc}"), how
        return _Made(job.id), how

    def _create_webhook(self, change: Change, spec: WebhookSpec) -> tuple[_Made, str]:
        fields = _request(spec, WEBHOOK, WEBHOOK.create_fields)
        hook, how = self._post(
            self._keys.key(change, fields),
            lambda key: self._client.webhooks.create_once(key, **fields),
            lambda tick: self._adopter.adopt_webhook(spec, tick),
            lambda hook_id: any(w.id == hook_id for w in self._client.webhooks.list()),
            lambda live: webhook_matches(live, spec),
        )
        return _Made(hook.id), how

    def _job_exists(self, job_id: str) -> bool:
        try:
            self._client.jobs.get(job_id)
        except NotFound:
            return False
        return True

    def _post(
        self,
        key: str,
        post: Callable[[str], Created[T]],
        adopt: Callable[[int], T | None],
        exists: Callable[[str], bool],
        matches: Callable[[T], bool],
    ) -> tuple[T, str]:
        """POST with ``key``; a POST whose outcome is unknown is never sent again.

        It is looked for in the live list, read again after each of SETTLE_WAITS (the
        server may still be committing it); not found, it is left unresolved for the
        next apply, whose plan shows whether it exists. A 409 (another request with
        this key is still being processed) is sent again, with the same key, after
        each of SETTLE_WAITS. A replayed answer whose resource is gone since is sent
        again under the next key of the chain. An answer that is not what was sent
        (another resource) is refused, and nothing is written to it."""
        replays, busy, fresh = 0, list(SETTLE_WAITS), ""
        while True:
            try:
                created = post(key)
            except OutcomeUnknown as exc:
                return self._settle(exc, adopt), ADOPTED
            except Conflict as exc:
                if not busy:
                    raise ChangeError(f"{exc}; still so after {sum(SETTLE_WAITS):g} s") from None
                self._sleep(busy.pop(0))
                continue
            resource = created.resource
            if not matches(resource):
                raise ChangeError(
                    f"the API answered the create with {resource.id}, which is not what was "
                    f"sent{' (a replayed answer)' if created.replayed else ''}: it was left "
                    "alone, and the next plan shows what exists"
                )
            if created.replayed and not exists(resource.id):
                replays += 1
                if replays > MAX_REPLAYS:
                    if not self._exclusive:
                        raise ChangeError(
                            f"the API answered {replays} creates with resources that no longer "
                            "exist (this one was deleted and created again that often within "
                            f"{contract.IDEMPOTENCY_WINDOW // 3600} h): nothing was created; an "
                            "apply that holds the workspace lock (without --no-lock) creates "
                            "it under a fresh key"
                        )
                    key, fresh = self._keys.fresh(), FRESH
                else:
                    key = self._keys.after(key, resource.id)
                continue
            self._adopter.claim(resource.id)
            return resource, (REPLAYED if created.replayed else "") + fresh

    def _settle(self, unknown: OutcomeUnknown, adopt: Callable[[int], T | None]) -> T:
        for wait in (0.0, *SETTLE_WAITS):
            self._sleep(wait)
            adopted = adopt(self._adopter.tick())
            if adopted is not None:
                return adopted
        waited = sum(SETTLE_WAITS)
        raise ChangeError(
            f"{UNRESOLVED}: {unknown}; not in the live list after {waited:g} s of reading it "
            "again, and not sent again, since a second create could make a duplicate: the "
            "next plan shows whether it exists"
        )

    # --- in-place changes --------------------------------------------------------------
    def _update(self, change: Change) -> ChangeOutcome:
        spec, live_id = _job_spec(change), _live_id(change)
        names = tuple(d.field for d in change.diffs if d.field in JOB.updatable)
        # A plan always names the fields; without them every updatable one is sent,
        # which is harmless because PATCH sets rather than toggles.
        fields = _request(spec, JOB, names or JOB.updatable)
        self._client.jobs.update(live_id, fields)
        return ChangeOutcome(change, "ok", f"updated {live_id} ({', '.join(fields)})", live_id)

    def _pause(self, change: Change) -> ChangeOutcome:
        live_id = _live_id(change)
        try:
            self._client.jobs.update(live_id, {"status": PAUSED})
        except NotFound:
            return ChangeOutcome(change, "ok", f"{live_id} was already gone")
        return ChangeOutcome(change, "ok", f"paused {live_id}", live_id)

    # --- destructive changes -------------------------------------------------------------
    def _delete(self, change: Change) -> ChangeOutcome:
        live_id = _live_id(change)
        self._remove(change, live_id)
        return ChangeOutcome(change, "ok", f"deleted {live_id}")

    def _replace(self, change: Change) -> ChangeOutcome:
        old_id = _live_id(change)
        created, how = self._create(change)
        # A replacement whose status could not be set still stands in for the old
        # resource (the next apply sets the status), so the old one goes either way.
        try:
            self._remove(change, old_id)
        except ApiError as exc:
            problems = [
                p for p in (created.problem, f"deleting the old {old_id} failed: {exc}") if p
            ]
            detail = f"created {created.id}{how}, but {' and '.join(problems)}"
            return ChangeOutcome(change, "failed", detail, created.id)
        done = f"replaced {old_id} with {created.id}{how}"
        if created.problem:
            return ChangeOutcome(change, "failed", f"{done}, but {created.problem}", created.id)
        return ChangeOutcome(change, "ok", done, created.id)

    def _remove(self, change: Change, live_id: str) -> None:
        """DELETE; one answered 404 is done (the resource is gone either way)."""
        try:
            if change.resource == JOB.kind:
                self._client.jobs.delete(live_id)
            else:
                self._client.webhooks.delete(live_id)
        except NotFound:
            pass


def _request(
    spec: JobSpec | WebhookSpec, resource: Resource, names: tuple[str, ...]
) -> dict[str, Any]:
    """The named fields of ``spec`` as a request sends them: a set as a sorted list."""
    sets = resource.set_fields
    values = {name: getattr(spec, name) for name in names}
    return {name: sorted(v) if name in sets else v for name, v in values.items()}


def _setting(fields: dict[str, Any]) -> str:
    if fields == {"status": PAUSED}:
        return "pausing it"
    return f"setting its {', '.join(fields)}"  # pragma: no cover - status is the only one


def _live_id(change: Change) -> str:
    if change.live_id is None:
        raise ChangeError("the plan holds no live resource for this change")
    return change.live_id


def _job_spec(change: Change) -> JobSpec:
    if not isinstance(change.desired, JobSpec):
        raise ChangeError("the plan holds no desired job for this change")
    return change.desired
