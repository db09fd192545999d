"""Properties: a manifest planned against the workspace it was applied to plans nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bytestack_sync import contract
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.model import (
    DesiredState,
    IgnoreRules,
    JobSpec,
    PruneMode,
    WebhookSpec,
)
from bytestack_sync.plan.planner import make_plan

# Spellings of one schedule: the API may hand back any of them.
SCHEDULES = [
    # Day-of-month and day-of-week are OR-ed when both are restricted: every day.
    ["@daily", "0 0 * * *", "@midnight", "0 0 1-31 * *", "0 0 * 1-12 *", "0 0 1-31 * 1"],
    ["0 8 * * 1-5", "0 8 * * MON-FRI", "0 8 * * mon-fri", "0 8 * * 1,2,3,4,5"],
    ["*/15 * * * *", "0,15,30,45 * * * *", "0-59/15 * * * *"],
    ["@hourly", "0 * * * *"],
    ["0 0 * * 0", "0 0 * * 7", "0 0 * * SUN", "@weekly"],
    ["@monthly", "0 0 1 * *"],
    ["@yearly", "0 0 1 1 *", "@annually", "0 0 1 JAN *"],
    ["0 0 */2 * 1"],
]
HOOKS = [f"https://hooks.example.com/{n}" for n in ("a", "b", "c", "secret-d")]
SECRET = HOOKS[3]

names = st.text(alphabet="abcdefgh-_ ", min_size=1, max_size=12).filter(lambda s: s.strip())
prompts = st.text(min_size=1, max_size=60).map(str.strip).filter(bool)
sources = st.frozensets(st.sampled_from(contract.KNOWN_SOURCES), min_size=1)
events = st.frozensets(st.sampled_from(contract.EVENT_TYPES), min_size=1)
whitespace = st.text(alphabet=" \t\n", max_size=3)
settings_ = settings(max_examples=60, deadline=None)


@st.composite
def job_specs(draw: st.DrawFn, name: str) -> JobSpec:
    url = draw(st.sampled_from([None, *HOOKS]))
    return JobSpec(
        name=name,
        prompt=draw(prompts),
        sources=draw(sources),
        schedule=draw(st.sampled_from(draw(st.sampled_from(SCHEDULES)))),
        status=draw(st.sampled_from(contract.JOB_STATUSES)),
        webhook_url=url,
        protect=draw(st.booleans()),
        sensitive=frozenset({"webhook_url"}) if url == SECRET else frozenset(),
        templates=(("webhook_url", "${secret:HOOK}"),) if url == SECRET else (),
    )


@st.composite
def desired_states(draw: st.DrawFn) -> DesiredState:
    job_names = draw(st.lists(names, max_size=6, unique=True))
    jobs = tuple(draw(job_specs(n)) for n in job_names)
    urls = draw(st.lists(st.sampled_from(HOOKS), max_size=3, unique=True))
    hooks = tuple(WebhookSpec(url=u, events=draw(events)) for u in urls)
    return DesiredState(
        jobs=jobs,
        webhooks=hooks,
        prune=draw(st.sampled_from(PruneMode)),
        ignore=IgnoreRules(jobs=("adhoc-*",), webhooks=("https://ignored.example.com/*",)),
        sensitive_values=frozenset({SECRET}) if any(j.webhook_url == SECRET for j in jobs) else
        frozenset(),
    )  # fmt: skip


def _same_schedule(draw: st.DrawFn, schedule: str) -> str:
    group = next(g for g in SCHEDULES if schedule in g)
    return draw(st.sampled_from(group))


@st.composite
def applied(draw: st.DrawFn, desired: DesiredState) -> tuple[list[LiveJob], list[LiveWebhook]]:
    """What the API returns after an apply: same meaning, possibly other spellings."""
    jobs = []
    for n, spec in enumerate(desired.jobs):
        listed = sorted(spec.sources) * draw(st.integers(1, 2))
        jobs.append(
            LiveJob(
                id=f"job_{n:025d}",
                name=spec.name,
                prompt=draw(whitespace) + spec.prompt + draw(whitespace),
                sources=tuple(draw(st.permutations(listed))),
                schedule=_same_schedule(draw, spec.schedule),
                webhook_url=spec.webhook_url or draw(st.sampled_from([None, ""])),
                status=spec.status,
                created_at=f"2024-01-{n % 28 + 1:02d}T00:00:00Z",
            )
        )
    hooks = [
        LiveWebhook(id=f"wh_{n:025d}", url=w.url, events=draw(st.permutations(sorted(w.events))))
        for n, w in enumerate(desired.webhooks)
    ]
    return jobs, hooks


def _ignored_extras() -> tuple[list[LiveJob], list[LiveWebhook]]:
    job = LiveJob(id="job_adhoc", name="adhoc-1", prompt="P", sources=("x",), schedule="@daily")
    hook = LiveWebhook(id="wh_ignored", url="https://ignored.example.com/x")
    return [job], [hook]


@settings_
@given(st.data())
def test_plan_after_apply_is_empty(data: st.DataObject) -> None:
    desired = data.draw(desired_states())
    jobs, hooks = data.draw(applied(desired))
    extra_jobs, extra_hooks = _ignored_extras()
    plan = make_plan(desired, jobs + extra_jobs, hooks + extra_hooks)
    assert plan.empty, [c.data() for c in plan.changes]
    assert plan.managed_count == len(jobs) + len(hooks)
    assert plan.declared == ()


@settings_
@given(st.data())
def test_any_single_field_change_is_planned(data: st.DataObject) -> None:
    """The converse: the semantic comparison does not hide real differences."""
    desired = data.draw(desired_states().filter(lambda d: bool(d.jobs)))
    jobs, hooks = data.draw(applied(desired))
    spec = data.draw(st.sampled_from(desired.jobs))
    group = next(g for g in SCHEDULES if spec.schedule in g)
    other = data.draw(st.sampled_from([g[0] for g in SCHEDULES if g is not group]))
    status = "paused" if spec.status == "active" else "active"
    field, value = data.draw(
        st.sampled_from([("prompt", spec.prompt + "?"), ("schedule", other), ("status", status)])
    )
    # A protected replace is refused (the rule tables cover that), so unprotect it.
    fields: dict[str, Any] = {field: value}
    edited = replace(spec, protect=False, **fields)
    changed = replace(desired, jobs=tuple(edited if j is spec else j for j in desired.jobs))
    plan = make_plan(changed, jobs, hooks)
    (change,) = plan.changes
    assert change.key == spec.name
    assert [d.field for d in change.diffs] == [field]
    assert change.action == ("replace" if field == "prompt" else "update")


@settings_
@given(st.data())
def test_planning_is_deterministic_and_order_free(data: st.DataObject) -> None:
    desired = data.draw(desired_states())
    jobs, hooks = data.draw(applied(desired))
    other = _unprotected(data.draw(desired_states()))
    first = make_plan(other, jobs, hooks)
    again = make_plan(other, list(reversed(jobs)), list(reversed(hooks)))
    assert [c.data() for c in again.changes] == [c.data() for c in first.changes]
    assert again.live_fingerprints == first.live_fingerprints
    assert [c.sort_key for c in first.changes] == sorted(c.sort_key for c in first.changes)


def _unprotected(desired: DesiredState) -> DesiredState:
    return replace(desired, jobs=tuple(replace(j, protect=False) for j in desired.jobs))


def test_schedule_spellings_table_is_sound() -> None:
    """Each group is one schedule and no two groups are: the properties rely on it."""
    from bytestack_sync import cron

    for group in SCHEDULES:
        assert all(cron.equivalent(group[0], other) for other in group), group
    firsts = [g[0] for g in SCHEDULES]
    assert len({cron.parse(s).canonical for s in firsts}) == len(firsts)
