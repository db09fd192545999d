"""``bytestack-sync show PLANFILE`` on files that are not plans to read."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.children import run_cli


def _show(path: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("show", path.name, cwd=path.parent)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "plan.json")
    done = _show(tmp_path / "plan.json")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "error: plan.json: cannot read: it is a FIFO, not a regular file\n"


def test_a_plan_past_the_size_cap_is_refused_unread(tmp_path: Path) -> None:
    with open(tmp_path / "plan.json", "wb") as handle:
        handle.truncate(256 * 1024 * 1024 + 1)  # sparse
    done = _show(tmp_path / "plan.json")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "error: plan.json: cannot read: it is larger than 256 MiB, the limit\n"
