"""load_manifests: merging, defaults, secrets, YAML features, and the empty-input guard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bytestack_sync.errors import ManifestError, NothingToPlanError
from bytestack_sync.manifest import load_manifests
from bytestack_sync.model import IgnoreRules, Location, PruneMode, SafetySettings
from bytestack_sync.secrets import sensitive_display

JOB = """\
  - name: {name}
    prompt: "  How often was {name} mentioned?  "
    sources: [x, reddit, x]
    schedule: "0 8 * * *"
"""


def write(directory: Path, name: str, text: str) -> str:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def jobs(*names: str) -> str:
    return "jobs:\n" + "".join(JOB.format(name=name) for name in names)


def test_a_minimal_manifest(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", jobs("Acme"))
    loaded = load_manifests([path], environ={})
    (job,) = loaded.desired.jobs
    assert job.name == "Acme"
    assert job.prompt == "How often was Acme mentioned?"
    assert job.sources == frozenset({"x", "reddit"})
    assert (job.schedule, job.status, job.webhook_url, job.protect) == (
        "0 8 * * *",
        "active",
        None,
        False,
    )
    assert job.location == Location(path, 2, 5)
    assert loaded.desired.prune is PruneMode.DELETE
    assert loaded.desired.files == (path,)
    assert (loaded.file_count, loaded.job_count, loaded.webhook_count) == (1, 1, 0)
    assert loaded.warnings == []


def test_a_directory_is_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path, "b.yaml", jobs("B"))
    write(tmp_path, "a/z.yml", jobs("AZ"))
    write(tmp_path, "a.yaml", jobs("A"))
    write(tmp_path, "notes.txt", "not a manifest")
    write(tmp_path, ".hidden/x.yaml", "not: [valid")
    loaded = load_manifests([str(tmp_path)], environ={})
    # Sorted path by path component, as a tree lists them: a/z.yml before a.yaml.
    assert [job.name for job in loaded.desired.jobs] == ["AZ", "A", "B"]
    assert loaded.file_count == 3


def test_relative_paths_stay_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "team/jobs.yaml", jobs("A"))
    monkeypatch.chdir(tmp_path)
    loaded = load_manifests(["team"], environ={})
    assert loaded.desired.files == ("team/jobs.yaml",)
    assert str(loaded.desired.jobs[0].location) == "team/jobs.yaml:2:5"


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", jobs("A"))
    assert load_manifests([path, str(tmp_path)], environ={}).file_count == 1


def test_defaults_apply_per_file_and_an_explicit_null_overrides(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        "defaults:\n  sources: [linkedin]\n  schedule: '@daily'\n  status: paused\n"
        "  webhook_url: https://hooks.example.com/a\n  protect: true\n"
        "jobs:\n  - {name: A, prompt: p}\n  - {name: B, prompt: p, webhook_url: null, "
        "status: active, sources: [x]}\n",
    )
    write(
        tmp_path, "b.yaml", "jobs:\n  - {name: C, prompt: p, sources: [x], schedule: '@hourly'}\n"
    )
    a, b, c = load_manifests([str(tmp_path)], environ={}).desired.jobs
    assert (a.sources, a.schedule, a.status, a.webhook_url, a.protect) == (
        frozenset({"linkedin"}),
        "@daily",
        "paused",
        "https://hooks.example.com/a",
        True,
    )
    assert (b.sources, b.status, b.webhook_url, b.protect) == (
        frozenset({"x"}),
        "active",
        None,
        True,
    )
    assert (c.status, c.webhook_url, c.protect) == ("active", None, False)


@pytest.mark.parametrize("written", ["webhook_url: ''", "webhook_url: null", "webhook_url:", ""])
def test_an_empty_webhook_url_is_none(tmp_path: Path, written: str) -> None:
    text = jobs("A") + (f"    {written}\n" if written else "")
    path = write(tmp_path, "m.yaml", text)
    assert load_manifests([path], environ={}).desired.jobs[0].webhook_url is None


def test_settings_from_the_one_file_that_sets_them(tmp_path: Path) -> None:
    write(
        tmp_path,
        "settings.yaml",
        "prune: 'off'\nignore:\n  jobs: [adhoc-*]\nsafety:\n  max_destroy_percent: 10\n",
    )
    write(tmp_path, "jobs.yaml", jobs("A") + "webhooks:\n  - url: http://127.0.0.1:9/hook\n")
    desired = load_manifests([str(tmp_path)], environ={}).desired
    assert desired.prune is PruneMode.OFF
    assert desired.ignore == IgnoreRules(jobs=("adhoc-*",))
    assert desired.safety == SafetySettings(max_destroy_percent=10.0)
    (webhook,) = desired.webhooks
    assert (webhook.url, webhook.events) == (
        "http://127.0.0.1:9/hook",
        frozenset({"job.completed"}),
    )


def test_yaml_1_2_scalars(tmp_path: Path) -> None:
    text = "prune: off\n" + jobs("no") + "    protect: true\n"
    job = load_manifests([write(tmp_path, "m.yaml", text)], environ={}).desired.jobs[0]
    assert job.name == "no"  # a string in YAML 1.2, not false
    assert job.protect is True
    path = write(tmp_path, "m.yaml", text.replace("protect: true", "protect: yes"))
    with pytest.raises(ManifestError) as raised:
        load_manifests([path], environ={})
    # "yes" is a string in YAML 1.2, and a boolean field takes only a boolean.
    assert [str(p) for p in raised.value.problems] == [
        f"{path}:7:14: protect must be true or false "
        "(got 'yes'; YAML 1.2 reads only true and false as booleans)"
    ]


def test_anchors_aliases_and_merge_keys(tmp_path: Path) -> None:
    text = """\
x-base: &base
  sources: [x]
  schedule: "0 8 * * *"
  status: paused
jobs:
  - <<: *base
    name: A
    prompt: p
    status: active
  - <<: [*base]
    name: B
    prompt: p
"""
    # x-base is not a manifest key: anchors must live inside known keys.
    with pytest.raises(ManifestError) as raised:
        load_manifests([write(tmp_path, "m.yaml", text)], environ={})
    assert [p.message for p in raised.value.problems] == ["unknown key 'x-base' at the top level"]
    text = text.replace("x-base: &base", "defaults: &base")
    a, b = load_manifests([write(tmp_path, "m.yaml", text)], environ={}).desired.jobs
    assert (a.status, a.sources, b.status) == ("active", frozenset({"x"}), "paused")


def test_an_error_in_a_merged_mapping_points_at_its_definition(tmp_path: Path) -> None:
    text = "defaults: &base\n  sources: [x]\n  schedule: '0 8 * * *'\njobs:\n" + (
        "  - <<: *base\n    name: A\n    prompt: p\n    status: pausd\n"
    )
    path = write(tmp_path, "m.yaml", text)
    with pytest.raises(ManifestError) as raised:
        load_manifests([path], environ={})
    assert [str(p) for p in raised.value.problems] == [
        f"{path}:8:13: status must be one of active, paused (got 'pausd') (did you mean 'paused'?)"
    ]


def test_secrets_are_sensitive_and_keep_their_templates(tmp_path: Path) -> None:
    hook = "https://hooks.example.com/T0/s3cr3t-t0ken"
    text = (
        "defaults:\n  webhook_url: ${secret:HOOK}\n"
        + jobs("A", "B")
        + (
            "    webhook_url: https://hooks.example.com/${secret:TOKEN:-plain}\n"
            "webhooks:\n  - url: ${secret:HOOK}\n"
        )
    )
    desired = load_manifests([write(tmp_path, "m.yaml", text)], environ={"HOOK": hook}).desired
    a, b = desired.jobs
    assert (a.webhook_url, a.sensitive, a.templates) == (
        hook,
        frozenset({"webhook_url"}),
        (("webhook_url", "${secret:HOOK}"),),
    )
    assert b.webhook_url == "https://hooks.example.com/plain"
    assert b.templates == (("webhook_url", "https://hooks.example.com/${secret:TOKEN:-plain}"),)
    assert desired.webhooks[0].sensitive == frozenset({"url"})
    assert desired.sensitive_values == frozenset({hook, "https://hooks.example.com/plain"})


def test_plain_variables_are_not_sensitive(tmp_path: Path) -> None:
    text = jobs("${TEAM} mentions")
    job = load_manifests(
        [write(tmp_path, "m.yaml", text)], environ={"TEAM": "Growth"}
    ).desired.jobs[0]
    assert (job.name, job.sensitive, job.templates) == ("Growth mentions", frozenset(), ())


def test_a_sensitive_value_never_reaches_a_message(tmp_path: Path) -> None:
    secret = "ftp://hooks.example.com/very-secret-token"
    text = (
        jobs("A")
        + "    webhook_url: ${secret:HOOK}\n"
        + "    status: ${secret:HOOK}\n"
        + "webhooks:\n  - url: ${secret:HOOK}\n  - url: ${secret:HOOK}\n"
    )
    with pytest.raises(ManifestError) as raised:
        load_manifests([write(tmp_path, "m.yaml", text)], environ={"HOOK": secret})
    text_of_problems = "\n".join(str(p) for p in raised.value.problems)
    assert "very-secret-token" not in text_of_problems
    assert "very-secret-token" not in str(raised.value)
    assert "status must be one of active, paused (got (sensitive value))" in text_of_problems


def test_a_duplicate_sensitive_url_is_shown_by_fingerprint(tmp_path: Path) -> None:
    secret = "https://hooks.example.com/very-secret-token"
    text = jobs("A") + "webhooks:\n  - url: ${secret:HOOK}\n  - url: ${secret:HOOK}\n"
    path = write(tmp_path, "m.yaml", text)
    with pytest.raises(ManifestError) as raised:
        load_manifests([path], environ={"HOOK": secret})
    assert [str(p) for p in raised.value.problems] == [
        f"{path}:8:5: duplicate webhook url {sensitive_display(secret)} "
        f"(first declared at {path}:7:5)"
    ]


def test_every_problem_in_every_file_at_once(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", jobs("A") + "    shedule: x\n")
    write(tmp_path, "b.yaml", jobs("B").replace("0 8 * * *", "0 8 * * * *") + "  - bad\n")
    write(tmp_path, "c.yaml", "jobs: [")
    with pytest.raises(ManifestError) as raised:
        load_manifests([str(tmp_path), str(tmp_path / "missing.yaml")], environ={})
    assert [(Path(p.location.file).name, p.location.line) for p in raised.value.problems] == [
        ("a.yaml", 6),
        ("b.yaml", 5),
        ("b.yaml", 6),
        ("c.yaml", 2),
        ("missing.yaml", 0),
    ]


def test_too_many_runs_a_day_is_a_warning(tmp_path: Path) -> None:
    text = jobs("A").replace("0 8 * * *", "*/10 * * * *")
    path = write(tmp_path, "m.yaml", text)
    loaded = load_manifests([path], environ={})
    assert [str(w) for w in loaded.warnings] == [
        f"{path}:5:15: warning: schedule '*/10 * * * *' fires 144 times a day, "
        "more than safety.max_runs_per_day (96)"
    ]
    write(tmp_path, "safety.yaml", "safety:\n  max_runs_per_day: 144\n")
    assert load_manifests([str(tmp_path)], environ={}).warnings == []


def test_aliases_that_expand_enormously_are_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    text = "\n".join(["x:"] + [f"  {line}" for line in lines]) + "\n"
    with pytest.raises(ManifestError) as raised:
        load_manifests([write(tmp_path, "m.yaml", text)], environ={})
    assert "aliases expand to too many values" in str(raised.value)


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({}, "holds no manifest file (*.yaml, *.yml)"),
        ({"empty.yaml": ""}, "declares no job and no webhook"),
        ({"a.yaml": "prune: pause\n", "b.yaml": "jobs: []\n"}, "declare no job and no webhook"),
    ],
)
def test_nothing_to_plan(tmp_path: Path, files: dict[str, str], reason: str) -> None:
    for name, text in files.items():
        write(tmp_path, name, text)
    with pytest.raises(NothingToPlanError, match="refusing to plan the deletion of everything"):
        load_manifests([str(tmp_path)], environ={})
    with pytest.raises(NothingToPlanError, match=re.escape(reason)):
        load_manifests([str(tmp_path)], environ={})
    loaded = load_manifests([str(tmp_path)], environ={}, allow_empty=True)
    assert loaded.desired.jobs == ()


def test_prune_off_may_declare_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", "prune: 'off'\n")
    assert load_manifests([path], environ={}).desired.prune is PruneMode.OFF


def test_the_process_environment_is_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BYTESTACK_TEST_TEAM", "Ops")
    path = write(tmp_path, "m.yaml", jobs("${BYTESTACK_TEST_TEAM}"))
    assert load_manifests([path]).desired.jobs[0].name == "Ops"


def test_null_defaults_are_no_defaults(tmp_path: Path) -> None:
    text = "defaults:\n  sources: null\n  status: null\n  protect: null\n  schedule: '@daily'\n"
    text += "jobs:\n  - {name: A, prompt: p, sources: [x]}\n  - {name: B, prompt: p}\n"
    path = write(tmp_path, "m.yaml", text)
    with pytest.raises(ManifestError) as raised:
        load_manifests([path], environ={})
    assert [str(p) for p in raised.value.problems] == [
        f"{path}:8:5: job has no sources (set it here or in defaults)"
    ]
    text = text.replace("  - {name: B, prompt: p}\n", "")
    (job,) = load_manifests([write(tmp_path, "m.yaml", text)], environ={}).desired.jobs
    assert (job.status, job.protect, job.schedule) == ("active", False, "@daily")


def test_an_explicit_null_sources_is_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", jobs("A").replace("[x, reddit, x]", "null"))
    with pytest.raises(ManifestError, match="job has no sources"):
        load_manifests([path], environ={})


def _block_mappings(levels: int) -> str:
    return "".join(f"{'  ' * level}a:\n" for level in range(levels)) + "  " * levels + "b: 1\n"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        pytest.param("jobs: " + "[" * 500 + "]" * 500 + "\n", "1:106", id="flow-lists"),
        pytest.param("jobs: " + "[" * 10_000 + "]" * 10_000 + "\n", None, id="10k-lists"),
        pytest.param(_block_mappings(150), "101:201", id="block-mappings"),
    ],
)
def test_nesting_too_deep_is_a_clear_error(tmp_path: Path, text: str, where: str | None) -> None:
    path = write(tmp_path, "m.yaml", text)
    with pytest.raises(ManifestError) as raised:
        load_manifests([path], environ={})
    [problem] = raised.value.problems
    if where is None:  # libyaml's own bound comes first
        assert "nesting depth" in problem.message
    else:
        assert str(problem) == f"{path}:{where}: lists and mappings nest deeper than 100 levels"


def test_nesting_as_deep_as_the_cap_is_read(tmp_path: Path) -> None:
    text = _block_mappings(99) + "jobs:\n" + JOB.format(name="a")
    path = write(tmp_path, "m.yaml", text)
    with pytest.raises(ManifestError) as raised:
        load_manifests([path], environ={})
    assert [p.message for p in raised.value.problems] == ["unknown key 'a' at the top level"]
