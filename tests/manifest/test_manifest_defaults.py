"""Defaults: each problem reported once, where it is written; the rest still applies."""

from __future__ import annotations

from pathlib import Path

import pytest

from bytestack_sync.errors import ManifestError
from bytestack_sync.manifest import load_manifests

JOBS = """\
jobs:
  - {name: A, prompt: p}
  - {name: B, prompt: p}
  - {name: C, prompt: p, sources: [x], schedule: '@daily'}
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError) as raised:
        load_manifests([str(path)], environ={})
    return [str(p).replace(str(path), "m.yaml") for p in raised.value.problems]


def test_every_defaults_problem_at_once_and_once_each(tmp_path: Path) -> None:
    defaults = "defaults:\n  webhook_url: ftp://bad\n  schedule: '61 * * * *'\n  sources: [xx]\n"
    assert problems(tmp_path, defaults + JOBS) == [
        "m.yaml:2:16: webhook_url must use https:// (got ftp://)",
        "m.yaml:3:13: invalid schedule '61 * * * *': minute 61 is out of range 0-59",
        "m.yaml:4:13: unknown source 'xx' (did you mean 'x'?)",
    ]


def test_once_each_when_the_rest_of_the_defaults_is_valid(tmp_path: Path) -> None:
    defaults = "defaults:\n  webhook_url: ftp://bad\n  schedule: '61 * * * *'\n  sources: [x]\n"
    assert problems(tmp_path, defaults + JOBS) == [
        "m.yaml:2:16: webhook_url must use https:// (got ftp://)",
        "m.yaml:3:13: invalid schedule '61 * * * *': minute 61 is out of range 0-59",
    ]


def test_a_broken_default_leaves_the_others_applied_and_checked(tmp_path: Path) -> None:
    # sources is broken; the valid schedule default still applies, so only a job that
    # has neither is told it lacks one, and the bad prompt is still found.
    defaults = "defaults:\n  sources: [xx]\n  schedule: '@daily'\n"
    jobs = "jobs:\n  - {name: A, prompt: ''}\n"
    assert problems(tmp_path, defaults + jobs) == [
        "m.yaml:2:13: unknown source 'xx' (did you mean 'x'?)",
        "m.yaml:5:23: prompt must be 1-4000 characters after stripping (got 0)",
    ]
    defaults = "defaults:\n  sources: [xx]\n"
    assert problems(tmp_path, defaults + jobs) == [
        "m.yaml:2:13: unknown source 'xx' (did you mean 'x'?)",
        "m.yaml:4:5: job has no schedule (set it here or in defaults)",
        "m.yaml:4:23: prompt must be 1-4000 characters after stripping (got 0)",
    ]


def test_a_misspelt_default_is_not_also_missing(tmp_path: Path) -> None:
    text = "defaults:\n  source: [x]\n  schedule: '@daily'\njobs:\n  - {name: A, prompt: p}\n"
    assert problems(tmp_path, text) == [
        "m.yaml:2:3: unknown key 'source' in defaults (did you mean 'sources'?)",
    ]


def test_a_defaults_schedule_warning_is_given_once(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("defaults:\n  schedule: '* * * * *'\n  sources: [x]\n" + JOBS, encoding="utf-8")
    loaded = load_manifests([str(path)], environ={})
    assert [str(w) for w in loaded.warnings] == [
        f"{path}:2:13: warning: schedule '* * * * *' fires 1440 times a day, "
        "more than safety.max_runs_per_day (96)"
    ]
    assert [job.schedule for job in loaded.desired.jobs] == ["* * * * *", "* * * * *", "@daily"]


def test_defaults_that_are_not_a_mapping(tmp_path: Path) -> None:
    assert problems(tmp_path, "defaults: [x]\n" + JOBS) == [
        "m.yaml:1:11: defaults must be a mapping (got a list)",
    ]
