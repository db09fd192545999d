"""Ctrl-C or SIGTERM during a real ``bytestack-sync apply`` process, then an apply that
finishes the job."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from bytestack_sync.emulator.app import EmulatorApp, create_app
from bytestack_sync.errors import EXIT_INTERRUPTED, EXIT_TERMINATED
from tests.e2e.conftest import API_KEY, serve

Job = Callable[..., dict[str, Any]]
Manifest = Callable[..., str]
JOBS = 40
# Creates past this many wait at the gate until the test has sent its signal.
GATED_AFTER = 4


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Gate:
    """The emulator, holding every job create after the first ``after`` until ``open``."""

    def __init__(self, app: EmulatorApp, after: int) -> None:
        self.app = app
        self.after = after
        self.open = threading.Event()
        self._creates = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if (environ["REQUEST_METHOD"], environ["PATH_INFO"]) == ("POST", "/v1/jobs"):
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(size)
            environ["wsgi.input"] = io.BytesIO(body)
            if b'"slow-' in body:  # a job's, not the lock's lease's
                with self._lock:
                    self._creates += 1
                    held = self._creates > self.after
                if held:
                    self.open.wait(DEADLINE)
        return self.app(environ, start_response)

    def close(self) -> None:
        self.open.set()
        self.app.close()


DEADLINE = 120.0  # seconds before a hung child is killed, so the test cannot hang


@pytest.mark.parametrize(
    ("signum", "code"),
    [
        (signal.SIGINT, EXIT_INTERRUPTED),  # what Ctrl-C sends
        (signal.SIGTERM, EXIT_TERMINATED),  # how GitLab and Kubernetes cancel a job
    ],
)
def test_an_interrupted_apply_reports_what_it_did_and_the_next_one_converges(
    cli: Any,
    write: Any,
    job: Job,
    manifest: Manifest,
    signum: int,
    code: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BITKIT_API_KEY", API_KEY)
    gate = Gate(create_app(latency_ms=60), after=GATED_AFTER)
    with serve(gate) as served:  # type: ignore[arg-type]
        _interrupted(served, gate, cli, write, job, manifest, signum, code)


def _interrupted(
    served: Any, gate: Gate, cli: Any, write: Any, job: Job, manifest: Manifest,
    signum: int, code: int,
) -> None:  # fmt: skip
    names = [f"slow-{i:02}" for i in range(JOBS)]
    path = write(manifest([job(name) for name in names]))
    argv = [
        sys.executable, "-m", "bytestack_sync", "apply", str(path), "--auto-approve",
        "--parallelism", "2", "--api-url", served.api_url,
    ]  # fmt: skip
    # A child inherits an ignored SIGINT (a shell's background job does; so may this
    # test process, after other tests): the child of a terminal's Ctrl-C does not.
    child = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
        preexec_fn=_default_sigint,
    )  # fmt: skip
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
                # Held until the signal is sent, however slowly this test reads.
                gate.open.set()
                break
        # Through the same buffered file the loop read from: what it read ahead stays.
        err = "".join(progress) + child.stderr.read()
        out, _ = child.communicate(timeout=DEADLINE)
    finally:
        gate.open.set()
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
