"""A rotated secret: its old value, still live, never appears in anything the tool writes.

The secret is a webhook URL, whole or in part. Applied with the old value, then
planned with a new one, the plan updates the job and replaces the webhook: every
output format, the saved plan's bytes, and ``apply FILE`` must show the old value
only by fingerprint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bytestack_sync.secrets import fingerprint

Job = Callable[..., dict[str, Any]]
Manifest = Callable[..., str]

BASE = "https://hooks.example.com/"
OLD_TOKEN = "OLDCANARY-5e1a7c"
NEW_TOKEN = "NEWCANARY-2b9d4f"


@pytest.fixture(
    params=[("${secret:HOOK}", BASE), (BASE + "${secret:HOOK}", "")], ids=["whole", "part"]
)
def secret_url(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(the URL as the manifest writes it, what HOOK holds before the token)."""
    written: str = request.param[0]
    prefix: str = request.param[1]
    return written, prefix


def test_a_rotated_secret_url_never_shows(
    local: Any,
    cli: Any,
    write: Any,
    job: Job,
    manifest: Manifest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    secret_url: tuple[str, str],
) -> None:
    written, prefix = secret_url
    url = local.api_url
    path = write(manifest([job("hooked", webhook_url=written)], webhooks=[{"url": written}]))
    monkeypatch.setenv("HOOK", prefix + OLD_TOKEN)
    assert cli("apply", path, "--api-url", url, "--auto-approve").code == 0
    old_url = BASE + OLD_TOKEN
    assert list(local.webhooks()) == [old_url]

    monkeypatch.setenv("HOOK", prefix + NEW_TOKEN)
    saved = tmp_path / "rotate.plan"
    runs = [
        cli("plan", path, "--api-url", url, "--format", fmt, "--out", saved, "--debug")
        for fmt in ("text", "json", "markdown")
    ]
    outputs = [r.out + r.err for r in runs] + [saved.read_text(encoding="utf-8")]
    for text in outputs:
        assert OLD_TOKEN not in text and NEW_TOKEN not in text
    assert [r.code for r in runs] == [0, 0, 0]
    # The old webhook is still named, by the fingerprint of its URL.
    old_shown = f"hmac:{fingerprint(old_url)}"
    assert all(old_shown in r.out for r in runs)
    assert "1 to create, 1 to update, 0 to replace, 1 to delete" in runs[0].out

    applied = cli("apply", saved, "--api-url", url, "--debug")
    assert applied.code == 0, applied
    assert OLD_TOKEN not in applied.out + applied.err
    assert NEW_TOKEN not in applied.out + applied.err
    assert f'- webhook "(sensitive, {old_shown})": deleted' in applied.err  # the progress
    new_url = BASE + NEW_TOKEN
    # The plan it shows first names each URL by its own fingerprint, nothing else.
    shown = set(re.findall(r"hmac:([0-9a-f]{8})", applied.out))
    assert shown == {fingerprint(old_url), fingerprint(new_url)}
    assert list(local.webhooks()) == [new_url]
    assert local.jobs()["hooked"].webhook_url == new_url
    again = cli("plan", path, "--api-url", url, "--detailed-exitcode")
    assert again.code == 0 and "No changes" in again.out


OLD_SECRETS = {
    "NAME": "OLDCANARY-name-4c1e",
    "PROMPT": "How often was OLDCANARY-prompt-77aa mentioned?",
    "SCHED": "17 3 * * 2",
    "HOOK": BASE + "OLDCANARY-hook-0b3f",
    "ONLYHOOK": BASE + "OLDCANARY-only-e19d",
}
NEW_SECRETS = {
    "NAME": "NEWCANARY-name-9d02",
    "PROMPT": "How often was NEWCANARY-prompt-31c5 mentioned?",
    "SCHED": "41 5 * * 4",
    "HOOK": BASE + "NEWCANARY-hook-6a7e",
    "ONLYHOOK": BASE + "NEWCANARY-only-58b1",
}
# What would give the old schedule away besides itself: its meaning.
OLD_SCHEDULE_SHOWN = ("17 3 * * 2", "03:17")


def test_every_secret_rotated_at_once_shows_none_of_the_old_values(
    local: Any, cli: Any, write: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The name itself is a secret: rotated, nothing links the old job to the new one,
    # and a webhook URL that only a webhook declares is the same. The rule: when an
    # identity of a kind is secret, every undeclared live resource of that kind is
    # masked, its identity and its values of fields sensitive anywhere for the kind.
    path = write(
        "version: 1\n"
        "jobs:\n"
        "  - name: ${secret:NAME}\n"
        "    prompt: ${secret:PROMPT}\n"
        "    sources: [x]\n"
        "    schedule: ${secret:SCHED}\n"
        "    webhook_url: ${secret:HOOK}\n"
        "webhooks:\n"
        "  - url: ${secret:HOOK}\n"
        "  - url: ${secret:ONLYHOOK}\n"
    )
    url = local.api_url
    for name, value in OLD_SECRETS.items():
        monkeypatch.setenv(name, value)
    assert cli("apply", path, "--api-url", url, "--auto-approve").code == 0
    assert list(local.jobs()) == [OLD_SECRETS["NAME"]]

    for name, value in NEW_SECRETS.items():
        monkeypatch.setenv(name, value)
    saved = tmp_path / "rotate-all.plan"
    runs = [
        cli("plan", path, "--api-url", url, "--format", fmt, "--out", saved, "--debug", "-v")
        for fmt in ("text", "json", "markdown")
    ]
    assert [r.code for r in runs] == [0, 0, 0], runs
    assert "Plan: 3 to create, 0 to update, 0 to replace, 3 to delete." in runs[0].out
    applied = cli("apply", saved, "--api-url", url, "--debug")
    assert applied.code == 0, applied
    again = cli("plan", path, "--api-url", url, "--detailed-exitcode")
    assert again.code == 0 and "No changes" in again.out
    outputs = [r.out + r.err for r in (*runs, applied, again)]
    outputs.append(saved.read_text(encoding="utf-8"))
    for text in outputs:
        assert "OLDCANARY" not in text and "NEWCANARY" not in text
        assert not any(shown in text for shown in OLD_SCHEDULE_SHOWN)
    assert list(local.jobs()) == [NEW_SECRETS["NAME"]]
    assert sorted(local.webhooks()) == sorted([NEW_SECRETS["HOOK"], NEW_SECRETS["ONLYHOOK"]])
    # Each old resource is still named, by its fingerprint and id, in what was applied.
    assert f"(sensitive, hmac:{fingerprint(OLD_SECRETS['NAME'])})" in applied.out
    assert f"(sensitive, hmac:{fingerprint(OLD_SECRETS['ONLYHOOK'])})" in applied.out


def test_a_secret_url_rotated_with_a_rename_never_shows(
    local: Any, cli: Any, write: Any, job: Job, manifest: Manifest, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # The job is renamed in the same change: the old one is undeclared, and nothing
    # but the rule (a field secret in any job is masked in undeclared ones) hides its URL.
    url = local.api_url
    path = write(manifest([job("report-a", webhook_url="${secret:HOOK}")]))
    monkeypatch.setenv("HOOK", BASE + OLD_TOKEN)
    assert cli("apply", path, "--api-url", url, "--auto-approve").code == 0
    write(manifest([job("report-b", webhook_url="${secret:HOOK}")]))
    monkeypatch.setenv("HOOK", BASE + NEW_TOKEN)
    saved = tmp_path / "renamed.plan"
    runs = [
        cli("plan", path, "--api-url", url, "--format", fmt, "--out", saved)
        for fmt in ("text", "json", "markdown")
    ]
    assert [r.code for r in runs] == [0, 0, 0]
    assert 'job "report-a"' in runs[0].out  # the name is no secret: still shown
    shown = cli("show", saved)
    applied = cli("apply", saved, "--api-url", url)
    assert applied.code == 0, applied
    texts = [r.out + r.err for r in (*runs, shown, applied)] + [saved.read_text("utf-8")]
    assert not any(OLD_TOKEN in t or NEW_TOKEN in t for t in texts)
