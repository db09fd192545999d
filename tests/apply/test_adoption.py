"""POSTs whose outcome is unknown: adopted when they took effect (at once or while the
live list is read again), left unresolved when not, never sent again; the keys they carry."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from bytestack_sync.api.client import Client
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.apply import apply_plan, operations
from bytestack_sync.apply.adoption import Adopter, job_matches, webhook_matches
from bytestack_sync.apply.keys import PREFIX
from bytestack_sync.emulator.app import EmulatorApp, create_app
from bytestack_sync.emulator.local import LocalTransport
from bytestack_sync.model import DesiredState, JobSpec, WebhookSpec
from bytestack_sync.plan.planner import make_plan

SPEC = JobSpec(
    name="daily",
    prompt="How many times was Acme mentioned?",
    sources=frozenset({"x", "reddit"}),
    schedule="@daily",
    webhook_url=None,
)


def live(id: str = "job_1", **fields: Any) -> LiveJob:
    values: dict[str, Any] = {
        "name": "daily",
        "prompt": "How many times was Acme mentioned?",
        "sources": ("reddit", "x"),
        "schedule": "0 0 * * *",
    }
    values.update(fields)
    return LiveJob(id=id, **values)


@pytest.mark.parametrize(
    ("fields", "matches"),
    [
        ({}, True),
        ({"prompt": "  How many times was Acme mentioned?\n"}, True),
        ({"webhook_url": ""}, True),
        ({"status": "paused"}, True),  # a create is active; status is not what was sent
        ({"name": "Daily"}, False),
        ({"prompt": "Something else"}, False),
        ({"sources": ("x",)}, False),
        ({"schedule": "0 1 * * *"}, False),
        ({"schedule": "not cron"}, False),
        ({"webhook_url": "https://hooks.example.com/a"}, False),
    ],
)
def test_a_job_matches_what_creating_the_spec_makes(fields: dict[str, Any], matches: bool) -> None:
    assert job_matches(live(**fields), SPEC) is matches


@pytest.mark.parametrize(
    ("declared", "live_schedule"),
    [
        ("@daily", "0 0 * * *"),
        ("0 8 * * 1-5", "0 8 * * MON-FRI"),
        ("0 8 * * *", "0 9 * * *"),
        ("not cron", " not cron "),  # unparseable: compared by its text, as the planner does
        ("not cron", "still not cron"),
        ("not cron", "@daily"),
    ],
)
def test_adoption_and_the_planner_agree_on_schedules(declared: str, live_schedule: str) -> None:
    spec = replace(SPEC, schedule=declared)
    job = live(schedule=live_schedule, status=spec.status)
    planner_says = make_plan(DesiredState(jobs=(spec,)), [job], []).empty
    assert job_matches(job, spec) is planner_says


@pytest.mark.parametrize(
    ("events", "matches"),
    [(("job.completed",), True), (("job.completed", "job.failed"), False)],
)
def test_a_webhook_matches_on_url_and_events(events: tuple[str, ...], matches: bool) -> None:
    hook = LiveWebhook(id="wh_1", url="https://h.example.com/a", events=events)
    assert webhook_matches(hook, WebhookSpec("https://h.example.com/a")) is matches


class FakeJobs:
    def __init__(self, jobs: list[LiveJob]) -> None:
        self.jobs = jobs
        self.reads = 0

    def list(self) -> list[LiveJob]:
        self.reads += 1
        return list(self.jobs)


class FakeClient:
    def __init__(self, jobs: list[LiveJob]) -> None:
        self.jobs = FakeJobs(jobs)


def test_failures_before_a_read_share_it() -> None:
    other = JobSpec(name="other", prompt="p", sources=frozenset({"x"}), schedule="@hourly")
    client = FakeClient(
        [live("job_a"), live("job_b", name="other", prompt="p", sources=("x",), schedule="@hourly")]
    )
    adopter = Adopter(client)  # type: ignore[arg-type]
    first, second = adopter.tick(), adopter.tick()
    assert adopter.adopt_job(SPEC, first) is not None
    assert adopter.adopt_job(other, second) is not None
    assert client.jobs.reads == 1
    # A failure after that read needs a read of its own.
    assert adopter.adopt_job(SPEC, adopter.tick()) is None  # job_a is claimed already
    assert client.jobs.reads == 2


def test_known_and_claimed_ids_are_never_adopted() -> None:
    client = FakeClient([live("job_old"), live("job_mine"), live("job_new")])
    adopter = Adopter(client, known_ids=["job_old"])  # type: ignore[arg-type]
    adopter.claim("job_mine")
    found = adopter.adopt_job(SPEC, adopter.tick())
    assert found is not None and found.id == "job_new"
    assert adopter.adopt_job(SPEC, adopter.tick()) is None


# --- through the executor ------------------------------------------------------------------
class LosePosts(httpx.BaseTransport):
    """Loses the answer to POSTs: ``forward`` decides whether the server saw them first."""

    def __init__(
        self, app: EmulatorApp, *, lose: int, forward: bool, commit_after: float = 0.0
    ) -> None:
        self.inner = LocalTransport(app)
        self.lose = lose
        self.forward = forward
        self.commit_after = commit_after
        self.posts = 0
        self.keys: list[str] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            with self._lock:
                self.posts += 1
                self.keys.append(request.headers.get("Idempotency-Key", ""))
                lost = self.lose > 0
                self.lose -= 1
            if lost:
                if self.forward:
                    request.read()
                    later = threading.Timer(self.commit_after, self.inner.handle_request, [request])
                    later.start()
                    if not self.commit_after:
                        later.join()
                raise httpx.ReadTimeout("timed out waiting for the answer", request=request)
        return self.inner.handle_request(request)


@pytest.fixture
def app() -> Iterator[EmulatorApp]:
    app = create_app()
    yield app
    app.close()


def jobs(count: int) -> DesiredState:
    specs = [
        JobSpec(name=f"j{i}", prompt=f"prompt {i}", sources=frozenset({"x"}), schedule="@daily")
        for i in range(count)
    ]
    return DesiredState(jobs=tuple(specs))


def apply_through(transport: httpx.BaseTransport, desired: DesiredState) -> Any:
    with Client("http://emulator.test/v1", "bs_key", transport=transport, backoff=0.0) as client:
        report = apply_plan(make_plan(desired, [], []), client, parallelism=4, desired=desired)
        return report, client.jobs.list()


def test_a_create_that_took_effect_is_adopted_not_repeated(app: EmulatorApp) -> None:
    transport = LosePosts(app, lose=6, forward=True)
    report, live_jobs = apply_through(transport, jobs(6))
    assert sorted(j.name for j in live_jobs) == [f"j{i}" for i in range(6)]
    assert transport.posts == 6  # none sent twice
    assert all("adopted" in o.detail for o in report.outcomes)
    assert {o.new_id for o in report.outcomes} == {j.id for j in live_jobs}
    assert report.converged


@pytest.fixture
def quick_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(operations, "SETTLE_WAITS", (0.05, 0.1, 0.2))


@pytest.mark.usefixtures("quick_settle")
def test_a_create_that_did_not_take_effect_is_left_unresolved_not_sent_again(
    app: EmulatorApp,
) -> None:
    transport = LosePosts(app, lose=1, forward=False)
    report, live_jobs = apply_through(transport, jobs(1))
    assert live_jobs == []
    assert transport.posts == 1  # one empty read, or four, is no proof it never lands
    (outcome,) = report.failed
    assert outcome.detail.startswith("unresolved: POST /v1/jobs was sent but its outcome is")
    assert "not in the live list after 0.35 s of reading it again, and not sent again" in (
        outcome.detail
    )
    assert not report.converged
    # The next apply plans it again, and creates it.
    again, live_jobs = apply_through(LosePosts(app, lose=0, forward=True), jobs(1))
    assert again.converged and [j.name for j in live_jobs] == ["j0"]


def test_a_create_committed_while_the_list_is_read_again_is_adopted(
    app: EmulatorApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server commits 0.3 s after the client gave up: the second or third read sees it.
    monkeypatch.setattr(operations, "SETTLE_WAITS", (0.2, 0.4, 0.8))
    transport = LosePosts(app, lose=1, forward=True, commit_after=0.3)
    report, live_jobs = apply_through(transport, jobs(1))
    assert [j.name for j in live_jobs] == ["j0"]
    assert transport.posts == 1
    assert report.converged and "adopted" in report.outcomes[0].detail


def test_every_create_carries_a_key_derived_from_the_plan_and_the_change(
    app: EmulatorApp,
) -> None:
    transport = LosePosts(app, lose=0, forward=True)
    plan = make_plan(jobs(3), [], [])
    for _ in range(2):  # the same plan, against the same workspace read: the same keys
        with Client("http://emulator.test/v1", "bs_key", transport=transport) as client:
            report = apply_plan(plan, client, parallelism=2)
    assert len(transport.keys) == 6 and len(set(transport.keys)) == 3
    assert all(k.startswith(PREFIX) and len(k) == len(PREFIX) + 40 for k in transport.keys)
    # The emulator honours them: the second apply made nothing, it was answered so.
    with Client("http://emulator.test/v1", "bs_key", transport=transport) as client:
        assert sorted(j.name for j in client.jobs.list()) == ["j0", "j1", "j2"]
    assert all("an earlier create with this Idempotency-Key" in o.detail for o in report.outcomes)
    # Another body means another key; another workspace read does not (two applies
    # racing may read the workspace at different moments).
    other = make_plan(jobs(4), [live("job_x", name="unrelated")], [])
    with Client("http://emulator.test/v1", "bs_key", transport=transport) as client:
        apply_plan(other, client)
    assert len(transport.keys) == 10 and len(set(transport.keys[6:]) - set(transport.keys[:6])) == 1


def test_a_replayed_create_whose_job_is_gone_is_sent_again_under_a_new_key(
    app: EmulatorApp,
) -> None:
    transport = LosePosts(app, lose=0, forward=True)
    plan = make_plan(jobs(1), [], [])
    with Client("http://emulator.test/v1", "bs_key", transport=transport) as client:
        first = apply_plan(plan, client).outcomes[0].new_id
        assert first is not None
        client.jobs.delete(first)
        again = apply_plan(plan, client).outcomes[0]
        (job,) = client.jobs.list()
    assert again.ok and again.new_id == job.id != first
    assert "earlier create" not in again.detail
    assert len(transport.keys) == 3 and len(set(transport.keys)) == 2


def test_keys_are_keyed_by_the_api_key(app: EmulatorApp) -> None:
    transport = LosePosts(app, lose=0, forward=True)
    plan = make_plan(jobs(2), [], [])
    for api_key in ("bs_key", "bs_other_workspace_key"):
        with Client("http://emulator.test/v1", api_key, transport=transport) as client:
            apply_plan(plan, client)
    # One plan, one target: only the API key differs, and so do all the keys.
    assert len(transport.keys) == 4 and len(set(transport.keys)) == 4


class ReplayAnother(httpx.BaseTransport):
    """Answers a job create with another job's body, marked as a replay."""

    def __init__(self, app: EmulatorApp, other: dict[str, Any]) -> None:
        self.inner = LocalTransport(app)
        self.other = other
        self.writes: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/jobs"):
            self.writes.append("POST")
            return httpx.Response(201, json=self.other, headers={"Idempotent-Replayed": "true"})
        if request.method in ("PATCH", "DELETE"):
            self.writes.append(f"{request.method} {request.url.path}")
        return self.inner.handle_request(request)


def test_a_replayed_answer_of_another_resource_is_refused_and_left_alone(
    app: EmulatorApp,
) -> None:
    with Client("http://emulator.test/v1", "bs_key", transport=LocalTransport(app)) as client:
        existing = client.jobs.create(name="existing", prompt="p", sources=["x"], schedule="@daily")
        other = client.jobs.get(existing.id).model_dump(mode="json")
    paused = replace(jobs(1).jobs[0], status="paused")  # a create then PATCHes the job
    desired = DesiredState(jobs=(paused,))
    transport = ReplayAnother(app, other)
    with Client("http://emulator.test/v1", "bs_key", transport=transport) as client:
        report = apply_plan(make_plan(desired, [], []), client, desired=desired)
        after = client.jobs.get(existing.id)
    (outcome,) = report.failed
    assert outcome.detail.startswith(f"the API answered the create with {existing.id}, which")
    assert "(a replayed answer)" in outcome.detail and outcome.new_id is None
    assert transport.writes == ["POST"] and after.status == "active"  # nothing written to it
    assert not report.converged


@pytest.mark.parametrize("exclusive", [True, False])
def test_a_job_created_again_more_often_than_the_chain_follows(
    app: EmulatorApp, monkeypatch: pytest.MonkeyPatch, exclusive: bool
) -> None:
    monkeypatch.setattr(operations, "MAX_REPLAYS", 2)
    transport = LosePosts(app, lose=0, forward=True)
    plan = make_plan(jobs(1), [], [])
    with Client("http://emulator.test/v1", "bs_key", transport=transport) as client:
        for _ in range(3):  # created and deleted 3 times: the chain is 2 long
            made = apply_plan(plan, client, exclusive=exclusive).outcomes[0]
            assert made.ok and made.new_id is not None
            client.jobs.delete(made.new_id)
        last = apply_plan(plan, client, exclusive=exclusive).outcomes[0]
        live_jobs = client.jobs.list()
    if exclusive:  # under the lock no apply races this one: a random key is safe
        assert last.ok and [j.id for j in live_jobs] == [last.new_id]
        assert "under a fresh Idempotency-Key" in last.detail
        assert transport.keys[-1] not in transport.keys[:-1]
    else:
        assert not last.ok and live_jobs == []
        assert "deleted and created again that often within 24 h" in last.detail
        assert "holds the workspace lock (without --no-lock)" in last.detail
