"""``bytestack-sync validate`` through the CLI entry point."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bytestack_sync import invocation
from bytestack_sync.cli import main
from bytestack_sync.commands.validate import annotation
from bytestack_sync.errors import Problem
from bytestack_sync.model import Location
from bytestack_sync.secrets import Redactor, sensitive_display

VALID = """\
jobs:
  - name: A
    prompt: p
    sources: [x]
    schedule: "*/5 * * * *"
webhooks:
  - url: https://hooks.example.com/a
"""
BROKEN = """\
jobs:
  - name: B
    prompt: p
    sources: [redit]
    schedule: "0 0 30 2 *"
"""


@pytest.fixture
def manifests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "a.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(BROKEN, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


WARNING = (
    "good/a.yaml:5:15: warning: schedule '*/5 * * * *' fires 288 times a day, "
    "more than safety.max_runs_per_day (96)"
)


def test_valid_with_a_warning(manifests: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "good"]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [WARNING]
    assert captured.out == "1 file, 1 job, 1 webhook: valid\n"


def test_errors_from_every_file_sorted(manifests: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "good", "bad.yaml"]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "bad.yaml:4:15: unknown source 'redit' (did you mean 'reddit'?)",
        "bad.yaml:5:15: invalid schedule '0 0 30 2 *': never fires: "
        "day-of-month '30' does not occur in month '2'",
        WARNING,
    ]
    assert captured.out == "2 files, 2 jobs, 1 webhook: 2 errors\n"


def test_github_annotations(
    manifests: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["validate", "bad.yaml", "good"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "::error file=bad.yaml,line=4,col=15::unknown source 'redit' (did you mean 'reddit'?)",
        "::error file=bad.yaml,line=5,col=15::invalid schedule '0 0 30 2 *': never fires: "
        "day-of-month '30' does not occur in month '2'",
        "::warning file=good/a.yaml,line=5,col=15::schedule '*/5 * * * *' fires 288 times a "
        "day, more than safety.max_runs_per_day (96)",
        "2 files, 2 jobs, 1 webhook: 2 errors",
    ]


def test_annotation_escaping() -> None:
    problem = Problem(Location("a,b:c.yaml", 3, 4), "100% wrong\nreally")
    assert (
        annotation(problem) == "::error file=a%2Cb%3Ac.yaml,line=3,col=4::100%25 wrong%0Areally\n"
    )
    assert annotation(Problem(Location("gone.yaml"), "no such file or directory")) == (
        "::error file=gone.yaml::no such file or directory\n"
    )


def test_quiet_prints_only_problems(manifests: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "-q", "good"]) == 0
    captured = capsys.readouterr()
    assert (captured.out, captured.err.splitlines()) == ("", [WARNING])


def test_verbose_lists_files_and_jobs(manifests: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-v", "validate", "good"]) == 0
    err = capsys.readouterr().err
    assert "read good/a.yaml" in err
    assert "job 'A': */5 * * * * (x)" in err


def test_a_missing_path(manifests: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "nowhere"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "nowhere: no such file or directory\n"
    assert captured.out == "0 files, 0 jobs, 0 webhooks: 1 error\n"


def test_an_empty_directory_would_delete_everything(
    manifests: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (manifests / "empty").mkdir()
    assert main(["validate", "empty"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "empty: no manifest files found in empty (*.yaml, *.yml)\n"
    assert captured.out == "0 files, 0 jobs, 0 webhooks: 1 error\n"


def test_an_empty_directory_among_others_is_named_where_it_is(
    manifests: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (manifests / "empty").mkdir()
    assert main(["validate", "good", "empty"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == ["empty: no manifest files found in empty (*.yaml, *.yml)", WARNING]


def test_only_plan_offers_force_for_an_empty_input(
    manifests: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (manifests / "nothing.yaml").write_text("version: 1\n", encoding="utf-8")
    assert main(["validate", "nothing.yaml"]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        "nothing.yaml: nothing.yaml declares no job and no webhook: plan and apply would "
        "refuse to delete everything (set prune: off to manage nothing)\n"
    )
    assert main(["plan", "nothing.yaml", "--api-url", f"local:{manifests / 'state.db'}"]) == 1
    assert capsys.readouterr().err == (
        "error: refusing to plan the deletion of everything: nothing.yaml declares no job "
        "and no webhook (set prune: off to manage nothing, or use --force)\n"
    )


def test_a_secret_never_reaches_the_output(
    manifests: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "ftp://hooks.example.com/T0/very-secret-token"
    monkeypatch.setenv("BYTESTACK_TEST_HOOK", secret)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    (manifests / "secret.yaml").write_text(
        VALID.replace("https://hooks.example.com/a", "${secret:BYTESTACK_TEST_HOOK}")
        + "  - url: ${secret:BYTESTACK_TEST_HOOK}\n"
        + "  - url: ${secret:BYTESTACK_TEST_HOOK}\n",
        encoding="utf-8",
    )
    assert main(["-v", "validate", "secret.yaml"]) == 1
    captured = capsys.readouterr()
    assert "very-secret-token" not in captured.out + captured.err
    assert "secret.yaml:7:10: url must use https://\n" in captured.err


def test_missing_variables_may_be_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bytestack_sync.commands import validate

    path = tmp_path / "m.yaml"
    path.write_text(
        VALID.replace("https://hooks.example.com/a", "${secret:BYTESTACK_TEST_UNSET}")
        + "  - url: ftp://hooks.example.com/b\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    assert validate.run([str(path)], out=out, err=err, github=False, verbosity=0) == 1
    assert err.getvalue().splitlines() == [
        f"{path}:5:15: warning: schedule '*/5 * * * *' fires 288 times a day, "
        "more than safety.max_runs_per_day (96)",
        f"{path}:7:10: environment variable BYTESTACK_TEST_UNSET is not set",
        f"{path}:8:10: url must use https:// (got ftp://)",
    ]
    out, err = io.StringIO(), io.StringIO()
    code = validate.run(
        [str(path)], out=out, err=err, github=False, verbosity=0, allow_missing_env=True
    )
    assert code == 1
    assert err.getvalue().splitlines()[1:] == [
        f"{path}:7:10: warning: environment variable BYTESTACK_TEST_UNSET is not set; "
        "the value that uses it is not checked",
        f"{path}:8:10: url must use https:// (got ftp://)",
    ]


SECRET_FIELDS_MANIFEST = """\
jobs:
  - name: ${secret:BYTESTACK_TEST_NAME}
    prompt: ${secret:BYTESTACK_TEST_PROMPT}
    sources: [x]
    schedule: ${secret:BYTESTACK_TEST_SCHED}
"""


def test_verbose_shows_sensitive_fields_only_by_fingerprint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Values unique to this test, so no other test's output can be mistaken for them.
    name, schedule = "CANARYNAME-verbose", "0 8 * * 2"
    monkeypatch.setenv("BYTESTACK_TEST_NAME", name)
    monkeypatch.setenv("BYTESTACK_TEST_PROMPT", "How often?")
    monkeypatch.setenv("BYTESTACK_TEST_SCHED", schedule)
    path = tmp_path / "m2.yaml"
    path.write_text(SECRET_FIELDS_MANIFEST, encoding="utf-8")
    assert main(["validate", str(path), "-v"]) == 0
    captured = capsys.readouterr()
    assert name not in captured.out + captured.err
    assert schedule not in captured.out + captured.err
    assert f"job {sensitive_display(name)}: {sensitive_display(schedule)} (x)" in captured.err


def test_validate_registers_sensitive_values_for_redaction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "CANARYNAME-registered"
    # The run's own redactor, caught as the run makes it: there is no process-wide one.
    REDACTOR = Redactor()
    monkeypatch.setattr(invocation, "Redactor", lambda: REDACTOR)
    monkeypatch.setenv("BYTESTACK_TEST_NAME", name)
    monkeypatch.setenv("BYTESTACK_TEST_PROMPT", "How often?")
    monkeypatch.setenv("BYTESTACK_TEST_SCHED", "0 8 * * *")
    path = tmp_path / "m2.yaml"
    path.write_text(SECRET_FIELDS_MANIFEST, encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    # Whatever the run prints after validate (any of its streams) has it scrubbed.
    assert name not in REDACTOR(f"later output naming {name}")


def _unknown_keys(count: int) -> str:
    return VALID + "".join(f"unknown_{index:05d}: 1\n" for index in range(count))


def test_past_a_hundred_problems_the_rest_are_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.yaml").write_text(_unknown_keys(2500), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["validate", "m.yaml"]) == 1
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 101
    assert lines[0] == WARNING.replace("good/a.yaml", "m.yaml")
    assert lines[1] == "m.yaml:8:1: unknown key 'unknown_00000' at the top level"
    assert lines[99] == "m.yaml:106:1: unknown key 'unknown_00098' at the top level"
    assert lines[100] == "… and 2,401 more"
    out = captured.out.splitlines()
    assert len(out) == 101 and all(line.startswith("::") for line in out[:100])
    assert out[100] == "1 file, 1 job, 1 webhook: 2500 errors"
