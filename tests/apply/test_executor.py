"""The executor against the in-process emulator: order, API calls, failures, interrupts."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from bytestack_sync.api.client import Client
from bytestack_sync.apply import ApplyReport, ChangeOutcome, apply_plan, phases
from bytestack_sync.apply.executor import UNCONFIRMED
from bytestack_sync.emulator.app import EmulatorApp, create_app
from bytestack_sync.emulator.local import LocalTransport
from bytestack_sync.model import DesiredState, JobSpec, PruneMode, WebhookSpec
from bytestack_sync.plan.changes import Change, Create, Delete, Pause, Replace, Update
from bytestack_sync.plan.plan import Plan
from bytestack_sync.plan.planner import make_plan

HOOK = "https://hooks.example.com/a"
URL, KEY = "http://emulator.test/v1", "bs_test_key"


class Recording(httpx.BaseTransport):
    """Records (method, path) of every request, then hands it on."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.calls: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.calls.append((request.method, request.url.path))
        return self.inner.handle_request(request)

    def writes(self) -> list[tuple[str, str]]:
        return [c for c in self.calls if c[0] != "GET"]


@pytest.fixture
def app() -> Iterator[EmulatorApp]:
    app = create_app()
    yield app
    app.close()


@pytest.fixture
def wire(app: EmulatorApp) -> Recording:
    return Recording(LocalTransport(app))


@pytest.fixture
def client(wire: Recording) -> Iterator[Client]:
    with Client(URL, KEY, transport=wire, backoff=0.0) as client:
        yield client


def job(name: str, **fields: object) -> JobSpec:
    values: dict[str, object] = {
        "prompt": f"How often was {name} mentioned?",
        "sources": frozenset({"x"}),
        "schedule": "0 8 * * *",
    }
    values.update(fields)
    return JobSpec(name=name, **values)  # type: ignore[arg-type]


def state(
    *jobs: JobSpec, webhooks: tuple[WebhookSpec, ...] = (), **options: object
) -> DesiredState:
    return DesiredState(jobs=jobs, webhooks=webhooks, **options)  # type: ignore[arg-type]


def plan_for(client: Client, desired: DesiredState) -> Plan:
    return make_plan(desired, client.jobs.list(), client.webhooks.list())


def converge(client: Client, desired: DesiredState, **options: object) -> ApplyReport:
    report = apply_plan(plan_for(client, desired), client, desired=desired, **options)  # type: ignore[arg-type]
    return report


def statuses(report: ApplyReport) -> dict[str, str]:
    return {o.change.address: o.status for o in report.outcomes}


# --- order -------------------------------------------------------------------------------
def _change(kind: type[Change], resource: str, key: str) -> Change:
    return kind(resource=resource, key=key)  # type: ignore[arg-type]


def test_phases_follow_the_apply_order() -> None:
    changes = [
        _change(Delete, "job", "d"),
        _change(Pause, "job", "p"),
        _change(Create, "job", "c"),
        _change(Replace, "webhook", "https://r"),
        _change(Update, "job", "u"),
        _change(Create, "webhook", "https://w"),
    ]
    grouped = [[(c.action, c.key) for c in phase] for phase in phases(changes)]
    assert grouped == [
        [("create", "https://w")],
        [("create", "c"), ("replace", "https://r"), ("update", "u")],
        [("pause", "p")],
        [("delete", "d")],
    ]


def test_webhooks_are_registered_before_jobs_and_deletes_come_last(
    client: Client, wire: Recording
) -> None:
    converge(client, state(job("old")))
    wire.calls.clear()
    desired = state(job("new", webhook_url=HOOK), webhooks=(WebhookSpec(HOOK),))
    report = converge(client, desired, parallelism=1)
    assert [m for m, _ in wire.writes()] == ["POST", "POST", "DELETE"]
    assert wire.writes()[0][1].endswith("/webhooks")
    assert report.converged and not report.failed


# --- what each action sends --------------------------------------------------------------
def test_create_makes_the_job_and_reports_its_id(client: Client) -> None:
    report = converge(client, state(job("a"), job("b", status="paused")))
    assert statuses(report) == {"job:a": "ok", "job:b": "ok"}
    live = {j.name: j for j in client.jobs.list()}
    assert {o.new_id for o in report.outcomes} == {live["a"].id, live["b"].id}
    assert live["b"].status == "paused"  # created active, then paused
    assert report.converged


def test_update_is_one_patch_with_every_differing_field(client: Client, wire: Recording) -> None:
    converge(client, state(job("a")))
    wire.calls.clear()
    desired = state(job("a", schedule="30 9 * * 1-5", status="paused", webhook_url=HOOK))
    report = converge(client, desired)
    [(method, path)] = wire.writes()
    assert method == "PATCH" and "/jobs/job_" in path
    (live,) = client.jobs.list()
    assert (live.schedule, live.status, live.webhook_url) == ("30 9 * * 1-5", "paused", HOOK)
    assert report.outcomes[0].detail.startswith("updated ")
    assert report.converged


def test_replace_creates_the_new_job_before_deleting_the_old(
    client: Client, wire: Recording
) -> None:
    converge(client, state(job("a")))
    (old,) = client.jobs.list()
    wire.calls.clear()
    report = converge(client, state(job("a", prompt="A new question")))
    assert [m for m, _ in wire.writes()] == ["POST", "DELETE"]
    (new,) = client.jobs.list()
    assert new.id != old.id and new.prompt == "A new question"
    assert report.outcomes[0].new_id == new.id
    assert report.outcomes[0].detail == f"replaced {old.id} with {new.id}"


def test_a_replace_whose_create_fails_keeps_the_old_job(client: Client, wire: Recording) -> None:
    converge(client, state(job("a")))
    (old,) = client.jobs.list()
    plan = plan_for(client, state(job("a", prompt="x" * 10)))
    (change,) = plan.changes
    # A prompt the API refuses (over its limit) makes the POST fail with a 400.
    broken = Replace(resource="job", key="a", desired=job("a", prompt="x" * 5000), live=change.live)
    wire.calls.clear()
    report = apply_plan(Plan(changes=(broken,), live_fingerprints=plan.live_fingerprints), client)
    assert statuses(report) == {"job:a": "failed"}
    assert "400" in report.outcomes[0].detail
    assert [m for m, _ in wire.writes()] == ["POST"]
    assert [j.id for j in client.jobs.list()] == [old.id]


@pytest.mark.parametrize("prune", [PruneMode.DELETE, PruneMode.PAUSE])
def test_undeclared_jobs_are_pruned(client: Client, prune: PruneMode) -> None:
    converge(client, state(job("keep"), job("gone")))
    report = converge(client, state(job("keep"), prune=prune))
    live = {j.name: j.status for j in client.jobs.list()}
    expected = (
        {"keep": "active"} if prune is PruneMode.DELETE else {"keep": "active", "gone": "paused"}
    )
    assert live == expected
    assert report.converged


@pytest.mark.parametrize("prune", [PruneMode.DELETE, PruneMode.PAUSE])
def test_pruning_what_is_already_gone_is_done(client: Client, prune: PruneMode) -> None:
    converge(client, state(job("a")))
    plan = plan_for(client, state(job("b"), prune=prune))
    gone = client.jobs.list()[0].id
    client.jobs.delete(gone)  # someone else deletes it first
    report = apply_plan(plan, client)
    assert statuses(report) == {"job:a": "ok", "job:b": "ok"}
    assert not report.failed and report.converged


# --- failures ----------------------------------------------------------------------------
def test_a_failed_change_does_not_stop_the_others(client: Client) -> None:
    good = [job(f"good-{i}") for i in range(5)]
    plan = plan_for(client, state(*good))
    bad = Create(resource="job", key="bad", desired=job("bad", schedule="0 0 30 2 *"))
    report = apply_plan(Plan(changes=(*plan.changes, bad)), client, desired=state(*good))
    assert statuses(report)["job:bad"] == "failed"
    assert sum(o.ok for o in report.outcomes) == 5
    assert report.summary() == (
        "Apply complete: 5 created, 0 updated, 0 replaced, 0 deleted, 1 failed."
    )
    assert sorted(j.name for j in client.jobs.list()) == [j.name for j in good]


class DenyPatches(httpx.BaseTransport):
    """Answers every PATCH with a 403, as for a key that may create but not update."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH":
            return httpx.Response(403, json={"code": "forbidden", "message": "no updates"})
        return self.inner.handle_request(request)


def test_a_paused_create_whose_pause_fails_reports_the_job_it_made(
    client: Client, wire: Recording
) -> None:
    desired = state(job("pz", status="paused"))
    with Client(URL, KEY, transport=DenyPatches(wire), backoff=0.0) as denied:
        report = apply_plan(plan_for(denied, desired), denied, desired=desired)
    (live,) = client.jobs.list()
    (outcome,) = report.outcomes
    assert (outcome.status, outcome.new_id, live.status) == ("failed", live.id, "active")
    assert outcome.detail.startswith(f"created {live.id}, but pausing it failed: ")
    assert "403" in outcome.detail
    # The next apply pauses the job it made instead of making another.
    again = converge(client, desired)
    assert [o.change.action for o in again.outcomes] == ["update"]
    assert again.converged and [(j.id, j.status) for j in client.jobs.list()] == [
        (live.id, "paused")
    ]


def test_a_paused_replace_whose_pause_fails_still_removes_the_old_job(
    client: Client, wire: Recording
) -> None:
    converge(client, state(job("pz")))
    (old,) = client.jobs.list()
    desired = state(job("pz", prompt="A new question", status="paused"))
    plan = plan_for(client, desired)
    with Client(URL, KEY, transport=DenyPatches(wire), backoff=0.0) as denied:
        report = apply_plan(plan, denied, desired=desired)
    (new,) = client.jobs.list()
    (outcome,) = report.outcomes
    assert (outcome.status, outcome.new_id, new.status) == ("failed", new.id, "active")
    assert outcome.detail.startswith(f"replaced {old.id} with {new.id}, but pausing it failed: ")


def test_jobs_that_use_a_webhook_whose_registration_failed_are_skipped(client: Client) -> None:
    bad_hook = WebhookSpec("ftp://not-a-webhook.example.com")
    hooked = job("hooked", webhook_url=bad_hook.url)
    plan = Plan(
        changes=(
            Create(resource="webhook", key=bad_hook.url, desired=bad_hook),
            Create(resource="job", key="hooked", desired=hooked),
            Create(resource="job", key="plain", desired=job("plain")),
        )
    )
    report = apply_plan(plan, client)
    assert statuses(report) == {
        f"webhook:{bad_hook.url}": "failed",
        "job:hooked": "skipped",
        "job:plain": "ok",
    }
    assert "webhook" in report.outcomes[1].detail or "webhook" in report.outcomes[2].detail


def test_the_report_says_when_the_workspace_did_not_converge(client: Client) -> None:
    desired = state(job("a"), job("b"))
    plan = make_plan(state(job("a")), [], [])
    report = apply_plan(plan, client, desired=desired)
    assert not report.failed
    assert [c.address for c in report.remaining or ()] == ["job:b"]
    assert not report.converged


# --- interrupts --------------------------------------------------------------------------
class InterruptOnFirst:
    """Progress that raises KeyboardInterrupt in the main thread, like a Ctrl-C."""

    def __init__(self) -> None:
        self.seen: list[ChangeOutcome] = []

    def start(self, total: int) -> None:
        pass

    def done(self, outcome: ChangeOutcome) -> None:
        self.seen.append(outcome)
        if len(self.seen) == 1:
            raise KeyboardInterrupt

    def finish(self) -> None:
        pass


def test_ctrl_c_stops_new_changes_and_the_next_apply_completes_them(client: Client) -> None:
    desired = state(*(job(f"j{i:02}") for i in range(12)))
    report = converge(client, desired, parallelism=1, progress=InterruptOnFirst())
    done = [o for o in report.outcomes if o.ok]
    assert report.interrupted and report.remaining is None
    assert done and report.skipped
    assert len(done) + len(report.skipped) == 12
    assert {o.change.key for o in done} == {j.name for j in client.jobs.list()}
    again = converge(client, desired)
    assert again.converged and len(client.jobs.list()) == 12


def test_a_stop_event_skips_everything_not_started(client: Client) -> None:
    stop = threading.Event()
    stop.set()
    report = converge(client, state(job("a"), job("b")), stop_event=stop)
    assert report.interrupted
    assert statuses(report) == {"job:a": "skipped", "job:b": "skipped"}
    assert client.jobs.list() == []


class InterruptReads(httpx.BaseTransport):
    """A Ctrl-C that lands while the result is being read back."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            raise KeyboardInterrupt
        return self.inner.handle_request(request)


def test_ctrl_c_during_the_confirming_read_keeps_the_report(
    client: Client, wire: Recording
) -> None:
    desired = state(job("a"), job("b"))
    with Client(URL, KEY, transport=InterruptReads(wire), backoff=0.0) as reader:
        report = apply_plan(make_plan(desired, [], []), reader, desired=desired)
    assert statuses(report) == {"job:a": "ok", "job:b": "ok"}
    assert report.interrupted and report.remaining is None and not report.converged
    assert report.confirm_error == UNCONFIRMED
    assert report.summary().startswith("Apply interrupted: 2 created")
    assert sorted(j.name for j in client.jobs.list()) == ["a", "b"]
