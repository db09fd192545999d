"""Ctrl-C or SIGTERM during a real ``bytestack-sync apply`` process, then an apply that
finishes the job."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest

from bytestack_sync.errors import EXIT_INTERRUPTED, EXIT_TERMINATED

Job = Callable[..., dict[str, Any]]
Manifest = Callable[..., str]
JOBS = 40
DEADLINE = 120.0  # seconds before a hung child is killed, so the test cannot hang


@pytest.mark.parametrize(
    ("signum", "code"),
    [
        (signal.SIGINT, EXIT_INTERRUPTED),  # what Ctrl-C sends
        (signal.SIGTERM, EXIT_TERMINATED),  # how GitLab and Kubernetes cancel a job
    ],
)
def test_an_interrupted_apply_reports_what_it_did_and_the_next_one_converges(
    emulator: Any, cli: Any, write: Any, job: Job, manifest: Manifest, signum: int, code: int
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
                child.send_signal(signum)
                break
        # Through the same buffered file the loop read from: what it read ahead stays.
        err = "".join(progress) + child.stderr.read()
        out, _ = child.communicate(timeout=DEADLINE)
    finally:
        killer.cancel()

    assert child.returncode == code, out + err
    done = served.jobs()  # no name twice
    assert 3 <= len(done) < JOBS
    # Every job made has its progress line: nothing in flight was lost.
    assert err.count(": created job_") == len(done)
    # The report is a short summary: counts and the first few names, not 40 lines.
    assert f"  done ({len(done)}): job:slow-00, job:slow-01, job:slow-02" in out
    assert f"  not started ({JOBS - len(done)}): job:slow-" in out
    assert f"and {JOBS - len(done) - 5} more\n" in out
    report = out[out.index("Apply interrupted:") :]
    assert report.startswith(f"Apply interrupted: {len(done)} created, 0 updated")
    assert f"0 failed, {JOBS - len(done)} skipped.\n" in report
    assert out[out.index("  done (") :].count("\n") == 5, out

    again = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
    assert again.code == 0, again.out + again.err
    assert f"Apply complete: {JOBS - len(done)} created" in again.out
    assert sorted(served.jobs()) == names
