"""A rotated secret: the value a declared sensitive field held before is sensitive too."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.model import DesiredState, JobSpec, PruneMode, WebhookSpec
from bytestack_sync.plan.plan import Plan
from bytestack_sync.plan.planner import make_plan
from bytestack_sync.render import FORMATS, render

NEW = "https://hooks.example.com/NEW-canary-1d7f"
OLD = "https://hooks.example.com/OLD-canary-9b2e"
OLD_MARK = "OLD-canary"

JobBuilder = Callable[..., JobSpec]
LiveBuilder = Callable[..., LiveJob]


def _outputs(plan: Plan) -> str:
    """Everything a plan may show: every format, the JSON forms, warnings, bookkeeping."""
    texts = []
    for fmt in FORMATS:
        out = io.StringIO()
        render(plan, fmt, out)
        texts.append(out.getvalue())
    texts.append(json.dumps([c.data() for c in plan.changes]))
    texts.extend(repr(c) for c in plan.changes)
    texts.extend(plan.warnings)
    texts.extend(plan.live_addresses.values())
    texts.extend(plan.declared)
    return "\n".join(texts)


def _declared_secret_hook(job_spec: JobBuilder) -> DesiredState:
    spec = job_spec(
        webhook_url=NEW,
        sensitive=frozenset({"webhook_url"}),
        templates=(("webhook_url", "${secret:HOOK}"),),
    )
    hook = WebhookSpec(NEW, sensitive=frozenset({"url"}), templates=(("url", "${secret:HOOK}"),))
    return DesiredState(jobs=(spec,), webhooks=(hook,), sensitive_values=frozenset({NEW}))


def _hook_equal_to_a_secret(job_spec: JobBuilder) -> DesiredState:
    # The job's URL is written out, but it is the value of a secret declared elsewhere.
    hook = WebhookSpec(NEW, sensitive=frozenset({"url"}), templates=(("url", "${secret:HOOK}"),))
    return DesiredState(
        jobs=(job_spec(webhook_url=NEW),), webhooks=(hook,), sensitive_values=frozenset({NEW})
    )


@pytest.mark.parametrize(
    "declare", [_declared_secret_hook, _hook_equal_to_a_secret], ids=["declared", "equal"]
)
@pytest.mark.parametrize("targets", [(), ("webhook:*",)], ids=["all", "targeted"])
def test_the_old_value_of_a_rotated_secret_is_masked_everywhere(
    job_spec: JobBuilder,
    live_job: LiveBuilder,
    declare: Callable[[JobBuilder], DesiredState],
    targets: tuple[str, ...],
) -> None:
    desired = declare(job_spec)
    jobs = [
        live_job(webhook_url=OLD),
        live_job(name="stray", id="job_s", webhook_url=OLD),
        live_job(name="stray", id="job_t", webhook_url=OLD),
    ]
    hooks = [LiveWebhook(id="wh_old", url=OLD), LiveWebhook(id="wh_dup", url=OLD)]
    plan = make_plan(desired, jobs, hooks, targets=targets)
    assert OLD in plan.sensitive_values
    deletes = [c for c in plan.changes if c.action == "delete" and c.resource == "webhook"]
    assert sorted(c.live_id or "" for c in deletes) == ["wh_dup", "wh_old"]
    assert all(c.key_sensitive and c.address.startswith("webhook:(sensitive") for c in deletes)
    for change in plan.changes:
        assert all(d.sensitive for d in change.diffs if d.field == "webhook_url")
    assert OLD_MARK not in _outputs(plan)
    if not targets:
        assert {c.live_id for c in plan.changes} >= {"job_1", "job_s", "job_t"}


def test_a_former_value_of_any_text_field_is_sensitive(
    job_spec: JobBuilder, live_job: LiveBuilder
) -> None:
    secret_prompt = "Secret prompt NEW-canary-1d7f"
    spec = job_spec(prompt=secret_prompt, sensitive=frozenset({"prompt"}))
    desired = DesiredState(jobs=(spec,), sensitive_values=frozenset({secret_prompt}))
    old_prompt = "Secret prompt OLD-canary-9b2e"
    jobs = [live_job(prompt=old_prompt), live_job(name="copy", id="job_c", prompt=old_prompt)]
    plan = make_plan(desired, jobs, [])
    assert [(c.action, c.key) for c in plan.changes] == [("replace", "daily"), ("delete", "copy")]
    assert all(d.sensitive for c in plan.changes for d in c.diffs if d.field == "prompt")
    assert old_prompt in plan.sensitive_values
    assert OLD_MARK not in _outputs(plan)


def test_values_no_sensitive_field_held_stay_visible(
    job_spec: JobBuilder, live_job: LiveBuilder
) -> None:
    # Nothing declared sensitive: a changed URL is ordinary, and shown.
    desired = DesiredState(jobs=(job_spec(webhook_url=NEW),), webhooks=(WebhookSpec(NEW),))
    plan = make_plan(desired, [live_job(webhook_url=OLD)], [LiveWebhook(id="wh_1", url=OLD)])
    assert plan.sensitive_values == frozenset()
    delete = next(c for c in plan.changes if c.action == "delete")
    assert not delete.key_sensitive and delete.address == f"webhook:{OLD}"


def test_a_pruned_job_masks_the_fields_secret_in_any_job(
    job_spec: JobBuilder, live_job: LiveBuilder
) -> None:
    # A secret webhook URL rotated together with a rename leaves the old job
    # undeclared, holding the old URL: nothing links it to the new one, so a field
    # that is a secret in any job is masked in every undeclared job. The rest of the
    # undeclared job (its name, its prompt) stays visible.
    desired = _declared_secret_hook(job_spec)
    jobs = [live_job(webhook_url=NEW), live_job(name="stray", id="job_s", webhook_url=OLD)]
    plan = make_plan(desired, jobs, [LiveWebhook(id="wh_new", url=NEW)])
    assert plan.sensitive_values == frozenset({NEW, OLD})
    (delete,) = plan.changes
    assert delete.key == "stray" and not delete.key_sensitive
    assert [d.sensitive or d.old in plan.sensitive_values for d in delete.diffs
            if d.field == "webhook_url"] == [True]  # fmt: skip
    text = _outputs(plan)
    assert OLD_MARK not in text and "stray" in text


def test_a_value_the_manifests_write_in_plain_text_is_never_masked(
    job_spec: JobBuilder, live_job: LiveBuilder
) -> None:
    # Undeclared live jobs named like public values ("x", "active", a declared
    # prompt) while a job name is a secret: those values stay visible everywhere.
    secret = job_spec(name="NEW-canary-name", sensitive=frozenset({"name"}))
    public = job_spec(name="public", prompt="hello there")
    desired = DesiredState(jobs=(secret, public), sensitive_values=frozenset({"NEW-canary-name"}))
    jobs = [
        live_job(name="public", id="job_p", prompt="hello there!"),
        *(live_job(name=n, id=f"job_{i}") for i, n in enumerate(("x", "active", "hello there"))),
    ]
    plan = make_plan(desired, jobs, [])
    assert plan.sensitive_values == frozenset({"NEW-canary-name"})
    text = _outputs(plan)
    assert '"active"' in text and '"x"' in text and '"hello there!"' in text


def test_pause_of_a_job_named_by_a_former_secret(
    job_spec: JobBuilder, live_job: LiveBuilder
) -> None:
    spec = job_spec(webhook_url=NEW, sensitive=frozenset({"webhook_url"}))
    desired = DesiredState(jobs=(spec,), sensitive_values=frozenset({NEW}), prune=PruneMode.PAUSE)
    jobs = [live_job(webhook_url=OLD), live_job(name=OLD, id="job_o")]
    plan = make_plan(desired, jobs, [])
    pause = next(c for c in plan.changes if c.action == "pause")
    assert pause.key_sensitive and OLD_MARK not in _outputs(plan)


def test_a_secret_name_masks_every_undeclared_job_but_not_public_values(
    job_spec: JobBuilder, live_job: LiveBuilder
) -> None:
    # One job's name and schedule are secrets; the old job (its name rotated) and any
    # other undeclared job are masked: name and schedule. A schedule the manifests
    # write in plain text is public, and stays visible.
    secret = job_spec(
        name="NEW-canary-name", schedule="41 5 * * 4",
        sensitive=frozenset({"name", "schedule"}),
    )  # fmt: skip
    public = job_spec(name="public", schedule="0 8 * * *")
    desired = DesiredState(
        jobs=(secret, public), sensitive_values=frozenset({"NEW-canary-name", "41 5 * * 4"})
    )
    jobs = [
        live_job(id="job_old", name="OLD-canary-name", schedule="17 3 * * 2"),
        live_job(id="job_pub", name="public", schedule="0 8 * * *"),
        live_job(id="job_other", name="OLD-canary-other", schedule="0 8 * * *"),
    ]
    hooks = [LiveWebhook(id="wh_stray", url="https://hooks.example.com/stray")]
    plan = make_plan(desired, jobs, hooks)
    deletes = {c.live_id: c for c in plan.changes if c.action == "delete"}
    assert deletes["job_old"].key_sensitive and deletes["job_other"].key_sensitive
    assert {"OLD-canary-name", "OLD-canary-other", "17 3 * * 2"} <= plan.sensitive_values
    assert "0 8 * * *" not in plan.sensitive_values
    assert not deletes["wh_stray"].key_sensitive  # no webhook's URL is a secret
    text = _outputs(plan)
    assert OLD_MARK not in text and "17 3 * * 2" not in text
    assert "0 8 * * *" in text and "https://hooks.example.com/stray" in text


def test_a_neighbours_former_value_is_masked(job_spec: JobBuilder, live_job: LiveBuilder) -> None:
    # "alerts" is declared, with a secret webhook URL, in a file of the tree outside
    # the paths given: its live job's old URL is sensitive though nothing here says so.
    desired = DesiredState(
        jobs=(job_spec(name="acme"),), tree_secrets=frozenset({NEW}),
        tree_sensitive=(("job", "alerts", frozenset({"webhook_url"})),),
    )  # fmt: skip
    jobs = [live_job(name="acme"), live_job(id="job_a", name="alerts", webhook_url=OLD)]
    plan = make_plan(desired, jobs, [LiveWebhook(id="wh_old", url=OLD)])
    assert OLD in plan.sensitive_values
    assert {c.live_id for c in plan.changes} == {"job_a", "wh_old"}
    assert OLD_MARK not in _outputs(plan)
