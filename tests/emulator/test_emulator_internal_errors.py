"""A bug inside the in-process emulator answers 500; its log line and traceback are for --debug.

Run in a fresh process: under pytest the root logger has a handler of pytest's, which
would hide what logging's last-resort handler prints for a user.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

_PROGRAM = """
import sys
from bytestack_sync import cli
from bytestack_sync.emulator.store import Store

def broken(*_, **__):
    raise RuntimeError("the store broke")

Store.create_job = broken
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("debug", [False, True], ids=["quiet", "debug"])
def test_a_local_emulator_bug_is_one_line_unless_debugging(tmp_path: Path, debug: bool) -> None:
    # No lock: the lease's create would meet the broken store before any job's.
    args = ["apply", str(EXAMPLES / "minimal.yaml"), "--auto-approve", "--no-lock"]
    args += ["--api-url", f"local:{tmp_path / 'state.sqlite3'}", *(["--debug"] if debug else [])]
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM, *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 3, done.stderr  # the creates failed with the API's 500
    assert "internal error (500)" in done.stderr
    # The client reports the 500; the emulator's own line and traceback only on --debug.
    assert ("unexpected error answering POST /v1/jobs" in done.stderr) is debug
    assert ("Traceback" in done.stderr) is debug
    assert ("RuntimeError: the store broke" in done.stderr) is debug
