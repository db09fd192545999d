"""``--target``: a literal name or a glob, and a warning for one that names nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.model import DesiredState, IgnoreRules, JobSpec, WebhookSpec
from bytestack_sync.plan.planner import make_plan
from bytestack_sync.plan.targets import Targets, matches, parse_targets

HOOK = "https://hooks.example.com/bytestack"
SECRET = "https://hooks.example.com/secret-target-canary"

JobBuilder = Callable[..., JobSpec]
LiveBuilder = Callable[..., LiveJob]


@pytest.mark.parametrize(
    ("key", "pattern", "expected"),
    [
        ("Report [daily]", "Report [daily]", True),  # literal, though [daily] is a class
        ("Report d", "Report [daily]", True),  # and still a glob
        ("Report x", "Report [daily]", False),
        ("What?", "What?", True),
        ("Whatever", "What?", False),
        ("a*b", "a*b", True),
        ("a-long-b", "a*b", True),
        ("alpha", "ALPHA", False),  # case-sensitive, like the API's names
        ("alpha", "alph", False),
    ],
)
def test_matches_literally_or_as_a_glob(key: str, pattern: str, expected: bool) -> None:
    assert matches(key, pattern) is expected
    assert parse_targets([f"job:{pattern}"]).includes("job", key) is expected
    assert not parse_targets([f"webhook:{pattern}"]).includes("job", key)


@pytest.mark.parametrize("name", ["Report [daily]", "What?", "a*b", "[x]"])
def test_a_name_with_glob_characters_is_targeted(
    job_spec: JobBuilder, live_job: LiveBuilder, name: str
) -> None:
    desired = DesiredState(jobs=(job_spec(name=name), job_spec(name="other")))
    stray = live_job(name=f"stray {name}", id="job_s")
    plan = make_plan(desired, [stray], [], targets=[f"job:{name}", f"job:stray {name}"])
    assert [(c.action, c.key) for c in plan.changes] == [
        ("create", name),
        ("delete", f"stray {name}"),
    ]
    assert plan.warnings == ()


@pytest.mark.parametrize(
    ("targets", "unmatched"),
    [
        pytest.param(("job:alpha",), [], id="declared"),
        pytest.param(("job:stray",), [], id="live"),
        pytest.param(("job:kept",), [], id="ignored-live"),
        pytest.param(("job:same",), [], id="declared-no-change"),
        pytest.param(("webhook:https://*",), [], id="webhook-glob"),
        pytest.param(("job:Nope",), ["job:Nope"], id="nothing"),
        pytest.param(("job:Nope", "job:Nope"), ["job:Nope"], id="once-each"),
        pytest.param(("job:alpha", "job:zz*"), ["job:zz*"], id="one-of-two"),
        pytest.param((f"job:{HOOK}",), [f"job:{HOOK}"], id="other-resource-type"),
        pytest.param(("webhook:alpha",), ["webhook:alpha"], id="webhook"),
    ],
)
def test_a_target_that_names_nothing_is_a_warning(
    job_spec: JobBuilder,
    live_job: LiveBuilder,
    targets: tuple[str, ...],
    unmatched: list[str],
) -> None:
    desired = DesiredState(
        jobs=(job_spec(name="alpha"), job_spec(name="same")),
        webhooks=(WebhookSpec(HOOK),),
        ignore=IgnoreRules(jobs=("kept",)),
    )
    live = [live_job(name="same"), live_job(name="stray", id="job_s"), live_job(name="kept")]
    plan = make_plan(desired, live, [], targets=targets)
    assert list(plan.warnings) == [
        f"--target {t} matches nothing (no declared or live {t.partition(':')[0]})"
        for t in unmatched
    ]


def test_no_target_no_warning(job_spec: JobBuilder) -> None:
    assert make_plan(DesiredState(jobs=(job_spec(),)), [], []).warnings == ()
    assert make_plan(DesiredState(), [], []).warnings == ()


def test_an_unmatched_target_that_is_a_secret_is_masked() -> None:
    # The secret is declared for a job's webhook_url, but no webhook has it as its URL.
    spec = JobSpec(
        "daily", "How many?", frozenset({"x"}), "@daily",
        webhook_url=SECRET, sensitive=frozenset({"webhook_url"}),
    )  # fmt: skip
    desired = DesiredState(jobs=(spec,), sensitive_values=frozenset({SECRET}))
    plan = make_plan(desired, [], [LiveWebhook(id="wh_1", url=HOOK)], targets=[f"webhook:{SECRET}"])
    (warning,) = plan.warnings
    assert SECRET not in warning and "(sensitive, hmac:" in warning


def test_unmatched_lists_each_pattern_once() -> None:
    targets = parse_targets(["job:a*", "job:b", "webhook:b", "job:b"])
    assert targets.unmatched({"job": ["alpha"], "webhook": ["b"]}) == [("job", "b")]
    assert Targets().unmatched({}) == []
