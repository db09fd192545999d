"""An apply's lock lease is no part of the workspace: plans, the destroy guard, the
stale check of a saved plan and export do not see it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bytestack_sync.api.models import LiveJob
from bytestack_sync.constants import LEASE_PREFIX
from bytestack_sync.export import export_manifest
from bytestack_sync.model import DesiredState, JobSpec, PruneMode
from bytestack_sync.plan.leases import without_leases
from bytestack_sync.plan.planner import make_plan
from tests.plan.savedplans import planned, read, stale_resources, write

LiveJobs = Callable[..., LiveJob]
Specs = Callable[..., JobSpec]


def lease(live_job: LiveJobs, id: str = "job_lease", status: str = "active") -> LiveJob:
    # Active as well as paused: a lease is created active and paused a request later.
    return live_job(LEASE_PREFIX + "0" * 24, id=id, prompt="owner: host pid 1", status=status)


@pytest.mark.parametrize("prune", [PruneMode.DELETE, PruneMode.PAUSE])
@pytest.mark.parametrize("status", ["active", "paused"])
def test_a_plan_neither_prunes_nor_counts_a_lease(
    live_job: LiveJobs, job_spec: Specs, prune: PruneMode, status: str
) -> None:
    desired = DesiredState(jobs=(job_spec("daily"),), prune=prune)
    live = [live_job("daily"), lease(live_job, status=status)]
    plan = make_plan(desired, live, [])
    assert plan.empty
    assert plan.managed_count == 1  # what the destroy guard counts
    assert [x.address for x in plan.left_alone] == []


def test_a_lease_never_counts_for_the_destroy_guard(live_job: LiveJobs, job_spec: Specs) -> None:
    leases = [lease(live_job, id=f"job_lease{i}") for i in range(10)]
    live = [live_job("old", id="job_old"), *leases]
    plan = make_plan(DesiredState(jobs=(job_spec("new"),)), live, [])
    assert [c.action for c in plan.changes] == ["create", "delete"]
    assert plan.managed_count == 1


def test_a_saved_plan_is_not_stale_for_a_lease_that_appeared_or_went(
    tmp_path: Path, live_job: LiveJobs, job_spec: Specs
) -> None:
    desired = DesiredState(jobs=(job_spec("daily"), job_spec("weekly")))
    before = [live_job("daily"), lease(live_job, id="job_other_apply")]
    write(planned(desired, before, []), tmp_path / "plan.json")
    plan = read(tmp_path / "plan.json", {})
    # The other apply is done; this apply's own lease is there.
    after = [live_job("daily"), lease(live_job, id="job_this_apply", status="paused")]
    assert stale_resources(plan, after, []) == []
    # What the plan would create, made meanwhile, still makes it stale.
    made = [*after, live_job("weekly", id="job_2")]
    assert stale_resources(plan, made, []) == ["job:weekly"]


def test_export_leaves_a_lease_out(live_job: LiveJobs) -> None:
    text = export_manifest([live_job("daily"), lease(live_job)], [])
    assert [j["name"] for j in yaml.safe_load(text)["jobs"]] == ["daily"]


def test_without_leases_is_the_same_list_when_there_is_none(live_job: LiveJobs) -> None:
    jobs = [live_job("daily"), live_job(LEASE_PREFIX.rstrip("-"), id="job_2")]
    assert without_leases(jobs) is jobs
