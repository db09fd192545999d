"""What a plan says before anyone applies it: refusals, what it left alone, renames."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

Job = Callable[..., dict[str, Any]]
Manifest = Callable[..., str]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "plan.schema.json").read_text()
)


def test_the_plan_says_the_destroy_guard_will_refuse_it_in_every_format(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job(f"job-{i}") for i in range(8)]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    write(manifest([job("job-0"), job("job-1")]))
    numbers = "6 delete(s) and 0 replace(s) would destroy 6 of 8 managed resources (75%)"
    text = cli("plan", path, "--api-url", served.api_url, "--detailed-exitcode")
    assert text.code == 2
    assert f"Destroy guard: apply refuses this plan unless --force is given: {numbers}" in text.out
    assert "max_destroy_percent (25%)" in text.out
    markdown = cli("plan", path, "--api-url", served.api_url, "--format", "markdown")
    assert "**Destroy guard:** apply refuses this plan unless --force is given" in markdown.out
    assert "6 of 8 managed resources (75%), more than max\\_destroy\\_percent" in markdown.out
    document = json.loads(cli("plan", path, "--api-url", served.api_url, "--format", "json").out)
    jsonschema.validate(document, SCHEMA)
    assert document["destroy_guard"] == {
        "refuses": True, "deletes": 6, "replaces": 0, "destroyed": 6, "managed": 8,
        "percent": 75.0, "max_destroy_percent": 25.0, "exact_copies": 0,
    }  # fmt: skip
    refused = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
    assert refused.code == 4 and numbers in refused.err


def test_a_plan_within_the_guard_says_nothing_of_a_refusal(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job(f"job-{i}") for i in range(8)]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    write(manifest([job(f"job-{i}") for i in range(7)]))
    text = cli("plan", path, "--api-url", served.api_url)
    assert "Destroy guard" not in text.out and "1 to delete" in text.out
    document = json.loads(cli("plan", path, "--api-url", served.api_url, "--format", "json").out)
    assert document["destroy_guard"]["refuses"] is False


def test_a_plan_that_would_replace_a_protected_job_is_refused_naming_it(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("keep", protect=True)]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    write(manifest([job("keep", protect=True, prompt="Another question?")]))
    for fmt in ("text", "json", "markdown"):
        result = cli("plan", path, "--api-url", served.api_url, "--format", fmt)
        assert result.code == 4
        assert "job:keep is protected (protect: true)" in result.err


def test_plan_lists_sort_naturally(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job(f"job {n}") for n in (10, 2, 1, 11)]))
    result = cli("plan", path, "--api-url", served.api_url)
    titles = [line.split('"')[1] for line in result.out.splitlines() if line.startswith("  + ")]
    assert titles == ["job 1", "job 2", "job 10", "job 11"]


def test_same_second_duplicates_keep_the_first_in_the_api_list_in_plan_and_export(
    emulator: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    served = emulator(clock=lambda: 1_800_000_000.0)  # every job created in one second
    created = [served.client.jobs.create(**job("dup", prompt="First?"))]
    # Random ids: go on until the first job's id is not the smallest, so that an order
    # by id would keep another one.
    while min(j.id for j in created) == created[0].id:
        created.append(served.client.jobs.create(**job("dup", prompt=f"Copy {len(created)}?")))
    first = served.client.jobs.list()[0]
    assert first.id == created[0].id
    path = write(manifest([job("dup", prompt="Something else?")]))
    plan = cli("plan", path, "--api-url", served.api_url)
    assert f"keeping {first.id} (the oldest; none matches the manifest)" in plan.out
    exported = cli("export", "--api-url", served.api_url)
    assert f"exported {first.id}," in exported.out


def test_a_delete_and_a_create_of_the_same_job_are_flagged_as_a_rename(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    asked = "How many times was Acme mentioned today?"
    path = write(manifest([job("Acme daily", prompt=asked, schedule="0 8 * * 1-5"), job("other")]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    old_id = served.jobs()["Acme daily"].id
    renamed = job(
        "Acme mentions, daily", prompt=f"  {asked}\n", schedule="0 8 * * MON-FRI",
        sources=["reddit", "x"],
    )  # fmt: skip
    write(manifest([renamed, job("other")]))
    text = cli("plan", path, "--api-url", served.api_url)
    assert (
        f"# likely a rename of job:Acme daily ({old_id}): same prompt, sources and schedule; "
        "the new job gets a new job id, and its results are stored under the new id "
        f"(those of {old_id} stay under {old_id})"
    ) in text.out
    assert "# likely renamed to job:Acme mentions, daily: same prompt" in text.out
    markdown = cli("plan", path, "--api-url", served.api_url, "--format", "markdown")
    assert "**Note:** likely a rename of job:Acme daily" in markdown.out
    document = json.loads(cli("plan", path, "--api-url", served.api_url, "--format", "json").out)
    notes = {c["action"]: c["notes"] for c in document["changes"]}
    assert any("likely a rename" in n for n in notes["create"])
    assert any("likely renamed" in n for n in notes["delete"])


def test_prune_pause_says_it_left_an_undeclared_webhook_and_show_warns_on_stderr(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest, tmp_path: Path
) -> None:
    hook = "https://hooks.example.com/one"
    path = write(manifest([job("a")], webhooks=[{"url": hook}]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    write(manifest([job("a")], prune="pause"))
    text = cli("plan", path, "--api-url", served.api_url, "-v")
    assert "No changes. The workspace matches" not in text.out
    line = "Left alone: 1 undeclared (prune: pause cannot pause a webhook)"
    assert line in text.out
    assert f"left alone: webhook:{hook} (undeclared (prune: pause cannot pause a webhook))" in (
        text.err
    )
    assert text.err.count("webhooks cannot be paused") == 1
    document = json.loads(cli("plan", path, "--api-url", served.api_url, "--format", "json").out)
    jsonschema.validate(document, SCHEMA)
    assert document["left_alone"]["undeclared"] == 1
    saved = tmp_path / "paused.plan"
    assert cli("plan", path, "--api-url", served.api_url, "--out", saved).code == 0
    shown = cli("show", saved)
    assert shown.code == 0, shown.err
    assert "webhooks cannot be paused" not in shown.out  # a warning: stderr, once
    assert shown.err.count("webhooks cannot be paused") == 1
    assert line in shown.out


def test_a_new_job_that_asks_something_else_is_no_rename(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("Acme daily")]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    write(manifest([job("Acme weekly", schedule="0 8 * * 1")]))
    assert "rename" not in cli("plan", path, "--api-url", served.api_url).out


@pytest.mark.parametrize(
    ("top", "targets", "line", "listed"),
    [
        pytest.param({"prune": "off"}, (), "2 undeclared (prune: off)",
                     ["job:stray 1 (undeclared (prune: off))"], id="prune-off"),
        pytest.param({"ignore": {"jobs": ["stray*"]}}, (), "2 ignored",
                     ["job:stray 2 (ignored)"], id="ignore"),
        pytest.param({}, ("--target", "job:kept"), "2 not targeted",
                     ["job:stray 1 (not targeted)"], id="target"),
    ],
)  # fmt: skip
def test_a_plan_that_leaves_live_resources_alone_says_how_many(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest,
    top: dict[str, Any], targets: tuple[str, ...], line: str, listed: list[str],
) -> None:  # fmt: skip
    path = write(manifest([job("kept")], **top))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    for name in ("stray 1", "stray 2"):  # made by hand in the API's console, say
        served.client.jobs.create(**job(name))
    text = cli("plan", path, "--api-url", served.api_url, *targets)
    assert "No changes. The workspace matches" not in text.out
    assert text.out.endswith(
        "No changes to make; some live resources are left alone.\n"
        f"Left alone: {line} (live resources this plan does not touch). `plan -v` lists them.\n"
    )
    verbose = cli("plan", path, "--api-url", served.api_url, "-v", *targets)
    assert all(f"left alone: {item}\n" in verbose.err for item in listed)
    markdown = cli("plan", path, "--api-url", served.api_url, "--format", "markdown", *targets)
    assert "**No changes to make; some live resources are left alone.**" in markdown.out
    assert f"Left alone: {line}" in markdown.out
    document = json.loads(
        cli("plan", path, "--api-url", served.api_url, "--format", "json", *targets).out
    )
    jsonschema.validate(document, SCHEMA)
    assert document["has_changes"] is False
    counted = {k: v for k, v in document["left_alone"].items() if k != "resources"}
    assert sorted(counted.values()) == [0, 0, 2]
    assert len(document["left_alone"]["resources"]) == 2
    saved = Path(path).parent / "left-alone.plan"
    assert cli("plan", path, "--api-url", served.api_url, "--out", saved, *targets).code == 0
    shown = cli("show", saved)
    assert shown.code == 0, shown.err
    assert f"Left alone: {line} (live resources this plan does not touch)." in shown.out


def test_only_a_plan_with_nothing_left_alone_says_the_workspace_matches(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("kept")]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    text = cli("plan", path, "--api-url", served.api_url)
    # After the target line, the whole plan is the one sentence.
    assert text.out.splitlines()[2:] == ["No changes. The workspace matches the manifests."]


def test_a_create_shows_what_its_schedule_means_in_every_format(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("weekday mornings", schedule="0 8 * * 1-5")]))
    text = cli("plan", path, "--api-url", served.api_url)
    assert '      schedule: "0 8 * * 1-5"\n        means:  at 08:00 UTC, Monday to Friday; ' \
        "1 run on each day it fires\n                next: " in text.out  # fmt: skip
    markdown = cli("plan", path, "--api-url", served.api_url, "--format", "markdown")
    assert "| | Declared |\n| --- | --- |\n| Schedule | <code>0 8 * * 1-5</code> |" in markdown.out
    assert "| Meaning | at 08:00 UTC, Monday to Friday |\n| Runs per day | 1 |" in markdown.out
    document = json.loads(cli("plan", path, "--api-url", served.api_url, "--format", "json").out)
    jsonschema.validate(document, SCHEMA)
    schedule = document["changes"][0]["schedule"]
    assert schedule["before"] is None and schedule["after"]["runs_per_day"] == 1
    assert len(schedule["after"]["next_runs"]) == 3


FRIDAY_13TH = (
    "schedule '0 9 13 * FRI' restricts both day-of-month and day-of-week, which cron ORs: it "
    "fires at 09:00 UTC on day 13 of the month and on every Friday, not only on days that "
    "match both"
)


def test_a_schedule_that_ors_its_day_fields_is_explained_by_validate_and_plan(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("Friday the 13th", schedule="0 9 13 * FRI")]))
    validated = cli("validate", path)
    assert validated.code == 0 and f"warning: {FRIDAY_13TH}" in validated.err
    planned = cli("plan", path, "--api-url", served.api_url)
    assert planned.code == 0 and planned.err.count(FRIDAY_13TH) == 1
    # Every format holds the manifests' warnings with the plan's own; still once on stderr.
    as_json = cli("plan", path, "--api-url", served.api_url, "--format", "json")
    assert as_json.err.count(FRIDAY_13TH) == 1
    (warning,) = json.loads(as_json.out)["warnings"]
    assert warning.endswith(f": warning: {FRIDAY_13TH}") and warning.startswith(str(path))
    saved = Path(path).parent / "friday.plan"
    assert cli("plan", path, "--api-url", served.api_url, "--out", saved).code == 0
    applied = cli("apply", saved, "--api-url", served.api_url)
    assert applied.code == 0 and applied.err.count(FRIDAY_13TH) == 1


@pytest.mark.parametrize("schedule", ["0 9 13 * *", "0 9 * * FRI", "0 9 */2 * FRI", "@daily"])
def test_a_schedule_with_one_day_field_restricted_gets_no_or_warning(
    cli: Any, write: Any, job: Job, manifest: Manifest, schedule: str
) -> None:
    path = write(manifest([job("one", schedule=schedule)]))
    assert "cron ORs" not in cli("validate", path).err


LINES = [f"Line {n} of the question." for n in range(1, 9)]


def test_a_multi_line_prompt_diffs_line_by_line_in_text_and_markdown(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("long", prompt="\n".join(LINES))]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    edited = [*LINES[:4], "Line 5, reworded.", *LINES[5:]]
    write(manifest([job("long", prompt="\n".join(edited))]))
    text = cli("plan", path, "--api-url", served.api_url)
    assert (
        "      prompt: (multi-line; changed lines below)  # forces replacement\n"
        "        @@ -3,5 +3,5 @@\n"
        "         Line 3 of the question.\n"
        "         Line 4 of the question.\n"
        "        -Line 5 of the question.\n"
        "        +Line 5, reworded.\n"
        "         Line 6 of the question.\n"
        "         Line 7 of the question.\n"
    ) in text.out
    assert "Line 1 of the question" not in text.out
    markdown = cli("plan", path, "--api-url", served.api_url, "--format", "markdown")
    assert (
        "```diff\n@@ prompt @@  # forces replacement\n@@ -3,5 +3,5 @@\n"
        " Line 3 of the question.\n Line 4 of the question.\n-Line 5 of the question.\n"
        "+Line 5, reworded.\n"
    ) in markdown.out


def test_a_one_line_prompt_still_shows_old_and_new_on_one_line(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    path = write(manifest([job("short", prompt="Old question?")]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    write(manifest([job("short", prompt="New question?")]))
    text = cli("plan", path, "--api-url", served.api_url)
    assert 'prompt: "Old question?" → "New question?"  # forces replacement' in text.out


def test_a_multi_line_prompt_holding_a_secret_shows_no_line_of_it(
    served: Any, cli: Any, write: Any, job: Job, manifest: Manifest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    canary = "canary-prompt-secret-4417"
    monkeypatch.setenv("PROMPT_TOKEN", canary)
    prompt = "\n".join([*LINES[:3], "Token: ${secret:PROMPT_TOKEN}"])
    path = write(manifest([job("secretive", prompt=prompt)]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == 0
    write(manifest([job("secretive", prompt=prompt + "\nOne more line.")]))
    for fmt in ("text", "markdown", "json"):
        result = cli("plan", path, "--api-url", served.api_url, "--format", fmt)
        assert result.code == 0 and "replace" in result.out
        assert canary not in result.out + result.err
        assert "Line 2 of the question" not in result.out


SECRET_HOOK = "https://hooks.example.com/t/canary-tree-secret-8812"


def _repository(tmp_path: Path, manifest: Manifest, job: Job) -> Path:
    """A repository whose settings and a secret live outside bytestack/brands."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    brands = repo / "bytestack" / "brands"
    brands.mkdir(parents=True)
    (repo / "bytestack" / "settings.yaml").write_text(
        manifest([job("alerts", webhook_url="${secret:ALERTS_HOOK}")], prune="off")
    )
    (brands / "acme.yaml").write_text(manifest([job("acme")]))
    return repo


def test_planning_a_subdirectory_warns_of_settings_outside_it_and_masks_the_trees_secrets(
    served: Any, cli: Any, job: Job, manifest: Manifest, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("ALERTS_HOOK", SECRET_HOOK)
    repo = _repository(tmp_path, manifest, job)
    monkeypatch.chdir(repo)
    whole = cli("apply", "bytestack", "--api-url", served.api_url, "--auto-approve")
    assert whole.code == 0, whole.err
    assert "warning: sets" not in whole.err
    for fmt in ("text", "markdown", "json"):
        result = cli("plan", "bytestack/brands", "--api-url", served.api_url, "--format", fmt)
        assert result.code == 0, result.err
        assert (
            "bytestack/settings.yaml: warning: sets prune for the manifest tree of the paths "
            "given but is not among them: this run uses prune: delete instead. Give "
            "bytestack (or add bytestack/settings.yaml) to use it."
        ) in result.err
        assert result.err.count("warning: sets prune") == 1
        assert "alerts" in result.out  # the fallback still deletes it, as it says
        assert SECRET_HOOK not in result.out + result.err
    validated = cli("validate", "bytestack/brands")
    assert "settings.yaml: warning: sets prune" in validated.err


def test_a_subdirectory_plan_masks_the_former_value_of_a_rotated_tree_secret(
    served: Any, cli: Any, job: Job, manifest: Manifest, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # alerts (outside the paths given) was applied with the old hook; the hook is
    # rotated since. Its live job still holds the old URL, which a plan of
    # bytestack/brands deletes: the old URL was a secret of the tree, so it is masked.
    old_hook = SECRET_HOOK + "-OLDROTATED"
    monkeypatch.setenv("ALERTS_HOOK", old_hook)
    monkeypatch.chdir(_repository(tmp_path, manifest, job))
    assert cli("apply", "bytestack", "--api-url", served.api_url, "--auto-approve").code == 0
    monkeypatch.setenv("ALERTS_HOOK", SECRET_HOOK)
    for fmt in ("text", "markdown", "json"):
        result = cli("plan", "bytestack/brands", "--api-url", served.api_url, "--format", fmt)
        assert result.code == 0, result.err
        assert "alerts" in result.out
        assert "OLDROTATED" not in result.out + result.err


def test_quiet_does_not_silence_the_warning_of_settings_left_out(
    served: Any, cli: Any, job: Job, manifest: Manifest, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # -q drops chatter; a warning that the run does not do what the files say stays.
    monkeypatch.setenv("ALERTS_HOOK", SECRET_HOOK)
    monkeypatch.chdir(_repository(tmp_path, manifest, job))
    for argv in (("plan",), ("apply", "--auto-approve")):
        result = cli("-q", *argv, "bytestack/brands", "--api-url", served.api_url)
        assert result.code == 0, result.err
        assert result.err.count("settings.yaml: warning: sets prune") == 1, result.err
        assert SECRET_HOOK not in result.out + result.err


@pytest.mark.parametrize("settings", ["bytestack/settings/settings.yaml", None])
def test_settings_in_a_subdirectory_or_none_at_all_still_mask_the_trees_secrets(
    served: Any, cli: Any, job: Job, manifest: Manifest, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, settings: str | None,
) -> None:  # fmt: skip
    # No ancestor of bytestack/brands holds a settings file itself; with none at all,
    # the plan still deletes alerts (prune: delete) and must not show its secret.
    monkeypatch.setenv("ALERTS_HOOK", SECRET_HOOK)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "bytestack" / "brands").mkdir(parents=True)
    if settings is not None:
        (repo / settings).parent.mkdir(parents=True)
        (repo / settings).write_text("version: 1\nprune: off\n")
    (repo / "bytestack" / "alerts.yaml").write_text(
        manifest([job("alerts", webhook_url="${secret:ALERTS_HOOK}")])
    )
    (repo / "bytestack" / "brands" / "acme.yaml").write_text(manifest([job("acme")]))
    monkeypatch.chdir(repo)
    assert cli("apply", "bytestack", "--api-url", served.api_url, "--auto-approve").code == 0
    for fmt in ("text", "markdown", "json"):
        result = cli("plan", "bytestack/brands", "--api-url", served.api_url, "--format", fmt)
        assert result.code == 0, result.err
        assert ("warning: sets prune" in result.err) == (settings is not None)
        if settings is not None:
            assert f"{settings}: warning: sets prune" in result.err
        assert "alerts" in result.out
        assert SECRET_HOOK not in result.out + result.err


def test_a_selection_holding_the_settings_gets_no_warning(
    cli: Any, job: Job, manifest: Manifest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALERTS_HOOK", SECRET_HOOK)
    repo = _repository(tmp_path, manifest, job)
    monkeypatch.chdir(repo)
    assert "warning: sets prune" not in cli("validate", "bytestack").err
    monkeypatch.chdir(repo / "bytestack")
    both = cli("validate", "brands", "settings.yaml")
    assert both.code == 0 and "warning: sets prune" not in both.err


def test_a_neighbours_secret_masks_its_own_field_not_an_equal_value_elsewhere(
    served: Any, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The quick start's case: a manifest in a repository holding test manifests (one
    # with a secret in sources) and no settings file: the tree is the repository, so
    # the neighbour's secret is known, yet the plain source "x" of another job is shown.
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "tests").mkdir()
    (repo / "tests" / "secret-in-sources.yaml").write_text(
        "version: 1\njobs:\n  - {name: a, prompt: Hi?, sources: ['${secret:SRC}'],"
        " schedule: '@daily'}\n",
        encoding="utf-8",
    )
    (repo / "examples").mkdir()
    shutil.copy(EXAMPLES / "minimal.yaml", repo / "examples" / "minimal.yaml")
    monkeypatch.setenv("SRC", "x")
    monkeypatch.chdir(repo)
    result = cli("plan", "examples/minimal.yaml", "--api-url", served.api_url)
    assert result.code == 0, result.err
    assert '["reddit", "x"]' in result.out and "sensitive" not in result.out
    # A neighbour whose secret cannot be known stops the plan, naming where.
    (repo / "tests" / "unset.yaml").write_text(
        "version: 1\nwebhooks:\n  - url: '${secret:NOT_SET_ANYWHERE}'\n", encoding="utf-8"
    )
    stopped = cli("plan", "examples/minimal.yaml", "--api-url", served.api_url)
    assert stopped.code == 1, stopped.out + stopped.err
    assert "tests/unset.yaml:3:10: environment variable NOT_SET_ANYWHERE is not set" in stopped.err
    assert stopped.out == ""


def test_a_subdirectory_plan_stops_when_a_secret_of_its_tree_cannot_be_known(
    served: Any, cli: Any, job: Job, manifest: Manifest, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # The tree's settings file keeps a live webhook URL secret; with its variable unset
    # the plan of bytestack/brands would delete that job showing the URL, unmasked.
    monkeypatch.setenv("ALERTS_HOOK", SECRET_HOOK)
    repo = _repository(tmp_path, manifest, job)
    monkeypatch.chdir(repo)
    assert cli("apply", "bytestack", "--api-url", served.api_url, "--auto-approve").code == 0
    monkeypatch.delenv("ALERTS_HOOK")
    for fmt in ("text", "json", "markdown"):
        result = cli("plan", "bytestack/brands", "--api-url", served.api_url, "--format", fmt)
        assert result.code == 1, result.err
        assert (
            "bytestack/settings.yaml:10:16: " in result.err
            and "environment variable ALERTS_HOOK is not set; this file is outside the paths "
            "given, but a plan of them could show the value it keeps secret"
            in result.err
        ), result.err
        assert SECRET_HOOK not in result.out + result.err
        assert "canary-tree-secret" not in result.out + result.err
    # With the variable at hand the same plan runs, masking the URL.
    monkeypatch.setenv("ALERTS_HOOK", SECRET_HOOK)
    again = cli("plan", "bytestack/brands", "--api-url", served.api_url)
    assert again.code == 0, again.err
    assert SECRET_HOOK not in again.out + again.err


def test_a_broken_file_of_the_tree_stops_a_subdirectory_plan_only_if_it_holds_secrets(
    served: Any, cli: Any, job: Job, manifest: Manifest, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("ALERTS_HOOK", SECRET_HOOK)
    repo = _repository(tmp_path, manifest, job)
    monkeypatch.chdir(repo)
    broken = repo / "bytestack" / "broken.yaml"
    broken.write_text("version: 1\njobs: [\n", encoding="utf-8")
    plain = cli("plan", "bytestack/brands", "--api-url", served.api_url)
    assert plain.code == 0, plain.err
    broken.write_text("version: 1\njobs: [{url: '${secret:ALERTS_HOOK}'\n", encoding="utf-8")
    refused = cli("plan", "bytestack/brands", "--api-url", served.api_url)
    assert refused.code == 1, refused.err
    assert "bytestack/broken.yaml:" in refused.err
    assert "and it uses ${secret:...}: this file is outside the paths given" in refused.err
