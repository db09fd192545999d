"""Ctrl-C during a real ``bytestack-sync apply`` process, then an apply that finishes the job."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

Job = Callable[..., dict[str, Any]]
Manifest = Callable[..., str]
JOBS = 40
DEADLINE = 120.0  # seconds before a hung child is killed, so the test cannot hang


def test_an_interrupted_apply_reports_what_it_did_and_the_next_one_converges(
    emulator: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    served = emulator(latency_ms=60)
    names = [f"slow-{i:02}" for i in range(JOBS)]
    path = write(manifest([job(name) for name in names]))
    argv = [
        sys.executable, "-m", "bytestack_sync", "apply", str(path), "--auto-approve",
        "--parallelism", "2", "--api-url", served.api_url,
    ]  # fmt: skip
    child = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL
    )
    killer = threading.Timer(DEADLINE, child.kill)
    killer.start()
    try:
        assert child.stderr is not None
        progress = []
        for line in child.stderr:
            if line.startswith("["):
                progress.append(line)
            if len(progress) == 3:
                child.send_signal(signal.SIGINT)  # what Ctrl-C sends
                break
        out, err = child.communicate(timeout=DEADLINE)
    finally:
        killer.cancel()

    assert child.returncode == 130, out + err
    assert "Apply interrupted:" in out
    assert "skipped: not started: apply was interrupted" in out
    done = served.jobs()  # no name twice
    assert 3 <= len(done) < JOBS
    assert out.count(": created job_") == len(done)  # the report names every job made

    again = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
    assert again.code == 0, again.out + again.err
    assert f"Apply complete: {JOBS - len(done)} created" in again.out
    assert sorted(served.jobs()) == names
