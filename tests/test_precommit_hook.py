"""The pre-commit hook works as a user installs it: `pre-commit try-repo` on this repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
version: 1
jobs:
  - name: Daily Acme mentions
    prompt: How many times was Acme mentioned on X today?
    sources: [x]
    schedule: "0 8 * * *"
    webhook_url: ${secret:UNSET_ON_THIS_LAPTOP}
"""
BAD = GOOD.replace('"0 8 * * *"', '"0 8 * * * *"')


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "user"
    (repo / "bytestack").mkdir(parents=True)
    (repo / "notes.yaml").write_text("not: [a, manifest\n", encoding="utf-8")
    _git(repo, "init", "-q")
    return repo


def _try_repo(repo: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    pre_commit = shutil.which("pre-commit", path=env["PATH"])
    assert pre_commit, "pre-commit is a test dependency"
    return subprocess.run(
        [pre_commit, "try-repo", str(ROOT), "bytestack-sync-validate", "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_hook_passes_a_valid_manifest_and_fails_a_bad_one(user_repo: Path, tmp_path: Path) -> None:
    manifest = user_repo / "bytestack" / "jobs.yaml"
    manifest.write_text(GOOD, encoding="utf-8")
    # Alone it declares nothing; as part of the directory it is fine.
    settings = "version: 1\nprune: pause\n"
    (user_repo / "bytestack" / "settings.yaml").write_text(settings, encoding="utf-8")
    _git(user_repo, "add", ".")
    good = _try_repo(user_repo, tmp_path)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
    # notes.yaml is not a manifest: the hook's `files` pattern leaves it alone.
    assert "notes.yaml" not in good.stdout

    manifest.write_text(BAD, encoding="utf-8")
    _git(user_repo, "add", ".")
    bad = _try_repo(user_repo, tmp_path)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "bytestack/jobs.yaml:6:" in bad.stdout
    assert "6 fields" in bad.stdout
