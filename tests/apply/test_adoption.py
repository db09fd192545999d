"""POSTs whose outcome is unknown: adopted when they took effect, sent again when not."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from bytestack_sync.api.client import Client
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.apply import apply_plan
from bytestack_sync.apply.adoption import Adopter, job_matches, webhook_matches
from bytestack_sync.apply.operations import MAX_POST_ATTEMPTS
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

    def __init__(self, app: EmulatorApp, *, lose: int, forward: bool) -> None:
        self.inner = LocalTransport(app)
        self.lose = lose
        self.forward = forward
        self.posts = 0
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            with self._lock:
                self.posts += 1
                lost = self.lose > 0
                self.lose -= 1
            if lost:
                if self.forward:
                    self.inner.handle_request(request)
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


def test_a_create_that_did_not_take_effect_is_sent_again(app: EmulatorApp) -> None:
    transport = LosePosts(app, lose=1, forward=False)
    report, live_jobs = apply_through(transport, jobs(1))
    assert [j.name for j in live_jobs] == ["j0"]
    assert transport.posts == 2
    assert report.outcomes[0].ok and "adopted" not in report.outcomes[0].detail


def test_a_create_never_answered_fails_without_duplicates(app: EmulatorApp) -> None:
    transport = LosePosts(app, lose=100, forward=False)
    report, live_jobs = apply_through(transport, jobs(1))
    assert live_jobs == []
    assert transport.posts == MAX_POST_ATTEMPTS
    (outcome,) = report.failed
    assert f"sent {MAX_POST_ATTEMPTS} times" in outcome.detail
