"""Reprs of desired and live resources never show a value that may be secret."""

from __future__ import annotations

import pytest

from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.contract import JOB, WEBHOOK
from bytestack_sync.model import JobSpec, WebhookSpec
from bytestack_sync.secrets import sensitive_display

CANARY = "https://hooks.example.com/canary-token-91c2"


def test_job_spec_repr_masks_sensitive_fields_only() -> None:
    spec = JobSpec(
        name="a",
        prompt="p",
        sources=frozenset({"x"}),
        schedule="@daily",
        webhook_url=CANARY,
        sensitive=frozenset({"webhook_url"}),
        templates=(("webhook_url", "${secret:HOOK}"),),
    )
    text = repr(spec)
    assert CANARY not in text
    assert sensitive_display(CANARY) in text
    assert "name='a'" in text


def test_webhook_spec_repr_masks_a_sensitive_url() -> None:
    assert CANARY not in repr(WebhookSpec(url=CANARY, sensitive=frozenset({"url"})))
    assert CANARY in repr(WebhookSpec(url=CANARY))  # not declared sensitive: shown


def test_live_reprs_mask_urls() -> None:
    job = LiveJob(
        id="job_1", name="a", prompt="p", sources=("x",), schedule="@daily", webhook_url=CANARY
    )
    hook = LiveWebhook(id="wh_1", url=CANARY)
    for text in (repr(job), str(job), repr(hook), str(hook)):
        assert CANARY not in text
        assert sensitive_display(CANARY) in text
    assert job.webhook_url == CANARY  # the value itself is untouched


@pytest.mark.parametrize(
    ("model", "name"),
    [(LiveJob, name) for name in sorted(JOB.secret_fields)]
    + [(LiveWebhook, name) for name in sorted(WEBHOOK.secret_fields)],
)
def test_a_live_repr_masks_every_field_that_may_hold_a_secret(
    model: type[LiveJob | LiveWebhook], name: str
) -> None:
    # A live value does not say whether it came from a secret: each such field is masked.
    values = {"id": "x_1", "name": "a", "prompt": "p", "sources": ["x"], "schedule": "@daily"}
    live = model.model_validate({**values, "url": "https://h.example.com/", name: CANARY})
    assert CANARY not in repr(live)
    assert sensitive_display(CANARY) in repr(live)
