"""Shell completion of --target from the manifests on the command line, as a shell asks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bytestack_sync.commands.completion import target_candidates

MANIFEST = """\
version: 1
jobs:
  - name: Daily Acme mentions
    prompt: p
    sources: [x]
    schedule: "@daily"
  - name: Weekly digest
    prompt: p
    sources: [x]
    schedule: "@weekly"
  - name: ${TEAM} report
    prompt: p
    sources: [x]
    schedule: "@daily"
webhooks:
  - url: https://hooks.example.com/a
  - url: ${secret:HOOK}
"""


@pytest.fixture
def manifests(tmp_path: Path) -> Path:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "jobs.yaml").write_text(MANIFEST, encoding="utf-8")
    (tmp_path / "m" / "broken.yaml").write_text("jobs: [\n", encoding="utf-8")
    return tmp_path / "m"


def test_candidates_skip_unreadable_files_and_interpolated_values(manifests: Path) -> None:
    assert target_candidates([str(manifests)], "job:") == [
        "job:Daily Acme mentions",
        "job:Weekly digest",
    ]
    assert target_candidates([str(manifests)], "web") == ["webhook:https://hooks.example.com/a"]
    assert target_candidates([str(manifests / "missing")], "") == []


def test_bash_completion_through_the_installed_script(manifests: Path) -> None:
    script = shutil.which("bytestack-sync", path=str(Path(sys.executable).parent))
    assert script, "the console script is installed with the package"
    env = dict(
        os.environ,
        _BYTESTACK_SYNC_COMPLETE="bash_complete",
        COMP_WORDS=f"bytestack-sync plan {manifests} --target job:W",
        COMP_CWORD="4",
    )
    result = subprocess.run([script], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["plain,job:Weekly digest"]
