"""Saved plans you can trust, over a real socket: bound to their target, signed, shown.

Each test makes a plan with ``plan --out`` against a served emulator, then does to
the file or the workspace what a mistake or an attacker would, and checks that
``apply FILE`` refuses (exit 4) before it sends a single write.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bytestack_sync.plan.savefile import FORMAT_VERSION
from bytestack_sync.secrets import key_digest
from tests.e2e.conftest import API_KEY, Cli, Emulator, Workspace, Write
from tests.fingerprints import fingerprint_by, shown_by

Job = Callable[..., dict[str, Any]]
Manifest = Callable[..., str]

CANARY = "CANARYTOKEN-8d2f61c4"
ATTACKER = "https://attacker.example.com/?t=${secret:CI_TOKEN}"
HOOKED = "${secret:HOOK}"


def _saved(cli: Cli, path: Path, api_url: str, out: Path) -> None:
    result = cli("plan", path, "--api-url", api_url, "--out", out)
    assert result.code == 0, result.err


def _edit(saved: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    document = json.loads(saved.read_text(encoding="utf-8"))
    edit(document)
    saved.write_text(json.dumps(document, indent=2), encoding="utf-8")


@pytest.fixture
def hooked(
    served: Workspace,
    cli: Cli,
    write: Write,
    job: Job,
    manifest: Manifest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Path, Path]:
    """A job whose webhook URL is the secret ${secret:HOOK} (a canary), and the plan
    saved for it: (manifest, saved plan)."""
    monkeypatch.setenv("HOOK", "https://hooks.example.com/" + CANARY)
    path = write(manifest([job("daily", webhook_url=HOOKED)]))
    saved = tmp_path / "release.plan"
    _saved(cli, path, served.api_url, saved)
    return path, saved


def _writes(ws: Workspace) -> list[tuple[str, str]]:
    assert ws.counter is not None
    return ws.counter.writes()


def test_every_plan_names_its_target_on_its_first_line(
    served: Workspace, cli: Cli, write: Write, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("daily")]))
    workspace = f"key sha256:{key_digest(API_KEY)}"
    text = cli("plan", path, "--api-url", served.api_url)
    assert text.out.splitlines()[0] == f"Target: {served.api_url}, workspace {workspace}"
    document = json.loads(cli("plan", path, "--api-url", served.api_url, "--format", "json").out)
    assert document["target"] == {"api_url": served.api_url, "workspace": workspace}
    markdown = cli("plan", path, "--api-url", served.api_url, "--format", "markdown").out
    assert (
        f"**Target:** <code>{served.api_url}</code>, workspace <code>{workspace}</code>"
        in (markdown.splitlines()[:5])
    )
    for output in (text.out, text.err, markdown, json.dumps(document)):
        assert API_KEY not in output


def test_a_local_plan_names_the_emulator_workspace(
    local: Workspace, cli: Cli, write: Write, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("daily")]))
    first = cli("plan", path, "--api-url", local.api_url).out.splitlines()[0]
    state = Path(local.api_url.partition(":")[2]).resolve()
    assert first == f"Target: local:{state}, workspace key-{key_digest('bs_local_workspace')}"


def test_apply_file_against_another_target_is_refused_naming_both(
    emulator: Emulator,
    cli: Cli,
    write: Write,
    job: Job,
    manifest: Manifest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = emulator(), emulator()
    second.client.jobs.create(name="other", prompt="P", sources=["x"], schedule="@daily")
    saved = tmp_path / "release.plan"
    _saved(cli, write(manifest([job("daily")])), first.api_url, saved)
    monkeypatch.setenv("BITKIT_API_KEY", "bs_another_workspace_key")
    assert second.counter is not None
    second.counter.reset()
    result = cli("apply", saved, "--api-url", second.api_url)
    assert result.code == 4
    assert f"made for {first.api_url}, workspace key sha256:{key_digest(API_KEY)}" in result.err
    other = key_digest("bs_another_workspace_key")
    assert f"against {second.api_url}, workspace key sha256:{other}" in result.err
    assert _writes(second) == [] and second.counter.calls == []
    assert "bs_another_workspace_key" not in result.err + result.out


def test_a_resource_that_appeared_since_the_plan_makes_it_stale(
    served: Workspace, cli: Cli, write: Write, job: Job, manifest: Manifest, tmp_path: Path
) -> None:
    saved = tmp_path / "release.plan"
    _saved(cli, write(manifest([job("daily")], prune="off")), served.api_url, saved)
    stranger = served.client.jobs.create(name="x", prompt="P", sources=["x"], schedule="@daily")
    assert served.counter is not None
    served.counter.reset()
    result = cli("apply", saved, "--api-url", served.api_url)
    assert result.code == 4, result.err
    assert f"job {stranger.id}: appeared (not declared)" in result.err
    assert _writes(served) == []


def test_the_stale_refusal_names_the_changed_fields_sorted(
    served: Workspace, cli: Cli, write: Write, job: Job, manifest: Manifest, tmp_path: Path
) -> None:
    path = write(manifest([job("daily")]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    path = write(manifest([job("daily", schedule="0 9 * * *")]))
    saved = tmp_path / "release.plan"
    _saved(cli, path, served.api_url, saved)
    live = served.jobs()["daily"]
    served.client.jobs.update(live.id, {"status": "paused", "schedule": "0 7 * * *"})
    result = cli("apply", saved, "--api-url", served.api_url)
    assert result.code == 4
    assert f"  job:daily: {live.id} changed: schedule, status\n" in result.err


def test_an_edited_schedule_is_refused_not_shown_old_and_set_new(
    served: Workspace, cli: Cli, write: Write, job: Job, manifest: Manifest, tmp_path: Path
) -> None:
    saved = tmp_path / "release.plan"
    _saved(cli, write(manifest([job("daily")])), served.api_url, saved)
    _edit(saved, lambda d: d["changes"][0]["desired"].update(schedule="* * * * *"))
    result = cli("apply", saved, "--api-url", served.api_url)
    assert result.code == 4
    assert "the saved plan's signature does not match" in result.err
    assert result.out == "" and _writes(served) == [] and served.jobs() == {}


@pytest.mark.parametrize("what", ["ignored", "protected"])
def test_a_hand_added_delete_of_a_kept_job_is_refused(
    served: Workspace,
    cli: Cli,
    write: Write,
    job: Job,
    manifest: Manifest,
    tmp_path: Path,
    what: str,
) -> None:
    declared = [job("keep", protect=True)] if what == "protected" else [job("other")]
    top = {"ignore": {"jobs": ["keep"]}} if what == "ignored" else {}
    if what == "ignored":
        served.client.jobs.create(name="keep", prompt="P", sources=["x"], schedule="@daily")
    path = write(manifest([*declared, job("doomed")], **top))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    saved = tmp_path / "release.plan"
    _saved(cli, write(manifest(declared, **top)), served.api_url, saved)
    keep = served.jobs()["keep"]
    _edit(saved, lambda d: [c.update(key="keep") for c in d["changes"] if c["action"] == "delete"])
    _edit(saved, lambda d: [c["live"].update(id=keep.id, name="keep") for c in d["changes"]])
    assert served.counter is not None
    served.counter.reset()
    assert cli("apply", saved, "--api-url", served.api_url).code == 4
    assert _writes(served) == [] and "keep" in served.jobs()


def test_a_secret_swapped_for_an_attacker_url_is_never_sent(
    served: Workspace, cli: Cli, hooked: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI_TOKEN", CANARY)
    saved = hooked[1]
    # The fingerprint the run itself would compute: as if the editor knew the key.
    swapped = fingerprint_by(API_KEY, "https://attacker.example.com/?t=" + CANARY)

    def swap(document: dict[str, Any]) -> None:
        for value in (document["changes"][0]["desired"]["webhook_url"],
                      document["changes"][0]["diffs"][-1]["new"]):  # fmt: skip
            value.update(template=ATTACKER, fingerprint=swapped)

    _edit(saved, swap)
    result = cli("apply", saved, "--api-url", served.api_url)
    assert result.code == 4 and "signature does not match" in result.err
    assert _writes(served) == [] and served.jobs() == {}
    assert CANARY not in result.out + result.err


VERSION_LINE = f'"format_version": {FORMAT_VERSION}'


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        pytest.param(lambda t: t[: len(t) // 2], "truncated or not JSON", id="truncated"),
        pytest.param(lambda t: t.replace(VERSION_LINE, '"format_version": 9'),
                     "saved plan format 9 is not supported", id="foreign-version"),
    ],
)  # fmt: skip
def test_a_damaged_file_is_refused(
    served: Workspace,
    cli: Cli,
    write: Write,
    job: Job,
    manifest: Manifest,
    tmp_path: Path,
    damage: Callable[[str], str],
    message: str,
) -> None:
    saved = tmp_path / "release.plan"
    _saved(cli, write(manifest([job("daily")])), served.api_url, saved)
    saved.write_text(damage(saved.read_text(encoding="utf-8")), encoding="utf-8")
    result = cli("apply", saved, "--api-url", served.api_url)
    assert result.code == 4 and message in result.err
    assert _writes(served) == []


def test_a_plan_with_manifests_or_a_json_file_is_one_clear_message(
    served: Workspace, cli: Cli, write: Write, job: Job, manifest: Manifest, tmp_path: Path
) -> None:
    path = write(manifest([job("daily")]))
    saved = tmp_path / "release.json"
    _saved(cli, path, served.api_url, saved)
    both = cli("apply", saved, path, "--api-url", served.api_url)
    assert both.code == 1
    assert both.err == (
        f"error: a saved plan must be the only argument of apply: {saved} was given with "
        "other paths\n"
    )
    other = tmp_path / "report.json"
    other.write_text('{"jobs": [1, 2, 3]}', encoding="utf-8")
    foreign = cli("apply", other, "--api-url", served.api_url)
    assert foreign.code == 1 and foreign.err.count("\n") == 1
    assert f"{other} is not a saved plan" in foreign.err


@pytest.mark.parametrize("size", [0, 1, 10, 100])
def test_a_plan_cut_short_anywhere_is_refused_as_show_refuses_it(
    served: Workspace, cli: Cli, write: Write, job: Job, manifest: Manifest, tmp_path: Path,
    size: int,
) -> None:  # fmt: skip
    saved = tmp_path / "release.json"
    _saved(cli, write(manifest([job("daily")])), served.api_url, saved)
    cut = tmp_path / "cut.json"
    cut.write_bytes(saved.read_bytes()[:size])
    applied = cli("apply", cut, "--api-url", served.api_url)
    shown = cli("show", cut)
    assert applied.code == shown.code == 4, applied.err + shown.err
    assert applied.err == shown.err
    assert "truncated or not JSON" in applied.err
    assert _writes(served) == []


def test_an_unset_secret_at_apply_file_is_an_environment_error(
    served: Workspace, cli: Cli, hooked: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = hooked[1]
    monkeypatch.delenv("HOOK")
    result = cli("apply", saved, "--api-url", served.api_url)
    assert result.code == 1
    assert "variable HOOK is not set" in result.err and _writes(served) == []


def test_show_renders_a_saved_plan_offline_in_every_format(
    served: Workspace, cli: Cli, hooked: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, saved = hooked
    plan = cli("plan", path, "--api-url", served.api_url)
    assert served.counter is not None
    served.counter.reset()
    text = cli("show", saved)
    assert text.code == 0 and text.out == plan.out
    assert text.err == "Signature: valid for the key in BITKIT_API_KEY.\n"
    document = json.loads(cli("show", saved, "--format", "json").out)
    assert document["summary"]["create"] == 1 and document["target"]["api_url"] == served.api_url
    assert "<!-- bytestack-sync plan -->" in cli("show", saved, "--format", "markdown").out
    assert served.counter.calls == []  # no network
    monkeypatch.delenv("HOOK")
    monkeypatch.delenv("BITKIT_API_KEY")
    unchecked = cli("show", saved)
    assert unchecked.code == 0 and "Signature: not checked: BITKIT_API_KEY is not set." in (
        unchecked.err
    )
    for result in (text, unchecked):
        assert CANARY not in result.out + result.err


def test_show_refuses_an_altered_plan(
    served: Workspace, cli: Cli, write: Write, job: Job, manifest: Manifest, tmp_path: Path
) -> None:
    saved = tmp_path / "release.plan"
    _saved(cli, write(manifest([job("daily")])), served.api_url, saved)
    _edit(saved, lambda d: d["changes"][0]["desired"].update(schedule="* * * * *"))
    result = cli("show", saved)
    assert result.code == 4 and result.out == ""
    assert "signature does not match the key in BITKIT_API_KEY" in result.err


def test_a_target_naming_a_secret_is_saved_and_shown_masked(
    served: Workspace, cli: Cli, write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "TARGETCANARY-name-5e0c"
    monkeypatch.setenv("NAME", secret)
    path = write(
        "version: 1\njobs:\n  - name: ${secret:NAME}\n    prompt: Count it\n"
        "    sources: [x]\n    schedule: '@daily'\n"
    )
    saved = tmp_path / "targeted.plan"
    planned = cli("plan", path, "--api-url", served.api_url, "--target", f"job:{secret}",
                  "--out", saved)  # fmt: skip
    assert planned.code == 0, planned.err
    assert secret not in saved.read_text(encoding="utf-8")
    shown = cli("show", saved, "--format", "json")
    assert shown.code == 0, shown.err
    assert secret not in shown.out + shown.err
    assert json.loads(shown.out)["targets"] == [f"job:{shown_by(API_KEY, secret)}"]
