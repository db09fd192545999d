"""What a person sees in a real terminal (tmux): the question with a piped stdout, and a
progress bar that fits the window; and what a CI log gets without one."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bytestack_sync.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED

# tmux is a test requirement (.ci/run installs it): without it these fail, never skip.
assert shutil.which("tmux"), "the terminal tests need tmux (apt-get install tmux)"
DEADLINE = 60.0  # seconds to wait for a screen, so a test cannot hang


class Screen:
    """One tmux window of a fixed size, on a tmux server of its own."""

    def __init__(self, socket: Path, columns: int) -> None:
        self.socket = socket
        self.columns = columns

    def tmux(self, *args: str) -> str:
        command = ["tmux", "-S", str(self.socket), *args]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout

    def start(self, command: str) -> None:
        # The shell stays after the command so its last screen can still be read.
        script = f"{command}; echo EXIT=${{PIPESTATUS[0]}}; sleep 60"
        size = ["-x", str(self.columns), "-y", "50"]
        self.tmux("new-session", "-d", *size, "bash", "--norc", "-c", script)

    def command_pid(self) -> int:
        """The pid of the command the window's shell runs (its only child)."""
        shell = int(self.tmux("list-panes", "-F", "#{pane_pid}").strip())
        children = Path(f"/proc/{shell}/task/{shell}/children").read_text(encoding="ascii")
        return int(children.split()[0])

    def text(self) -> str:
        return self.tmux("capture-pane", "-p")

    def wait_for(self, needle: str) -> str:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            shown = self.text()
            if needle in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} never appeared; the screen:\n{self.text()}")


@pytest.fixture
def screen(tmp_path: Path) -> Iterator[Callable[[int], Screen]]:
    made: list[Screen] = []

    def make(columns: int) -> Screen:
        made.append(Screen(tmp_path / f"tmux-{len(made)}.sock", columns))
        return made[-1]

    yield make
    for one in made:
        subprocess.run(["tmux", "-S", str(one.socket), "kill-server"], capture_output=True)


def apply_command(path: Path, api_url: str, *extra: str) -> str:
    argv = [sys.executable, "-m", "bytestack_sync", "apply", str(path), "--api-url", api_url]
    return shlex.join([*argv, *extra])


def test_the_question_follows_the_plan_on_the_terminal_when_stdout_is_piped(
    served: Any, screen: Any, write: Any, job: Any, manifest: Any, tmp_path: Path
) -> None:
    path = write(manifest([job("asked")]))
    log = tmp_path / "apply.log"
    window = screen(100)
    window.start(f"{apply_command(path, served.api_url)} | tee {shlex.quote(str(log))}")

    shown = window.wait_for("Enter a value:")
    # The plan was flushed through the pipe before the question was asked.
    assert shown.index("Plan: 1 to create") < shown.index("Do you want to perform these actions?")
    window.tmux("send-keys", "yes", "Enter")
    shown = window.wait_for("EXIT=")
    assert f"EXIT={EXIT_OK}" in shown, shown
    assert list(served.jobs()) == ["asked"]
    logged = log.read_text(encoding="utf-8")
    assert "Plan: 1 to create" in logged and "Apply complete: 1 created" in logged
    assert "Enter a value" not in logged  # the question is for the person, not the log


def cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def test_the_progress_bar_fits_a_narrow_terminal_and_is_redrawn_in_place(
    served: Any, screen: Any, write: Any, job: Any, manifest: Any, tmp_path: Path
) -> None:
    names = [f"週次レポート-{i:02}-{'long name ' * 4}" for i in range(12)]
    path = write(manifest([job(name) for name in names]))
    out = shlex.quote(str(tmp_path / "out.txt"))
    window = screen(60)
    window.start(f"{apply_command(path, served.api_url, '--auto-approve')} > {out}")

    shown = window.wait_for("EXIT=")
    assert f"EXIT={EXIT_OK}" in shown, shown
    lines = [line for line in shown.splitlines() if line.strip()]
    bars = [line for line in lines if line.startswith("[") and "/12 " in line]
    assert len(bars) == 1, shown  # one bar, redrawn: no line per change, no wrapped pieces
    assert bars[0].startswith("[" + "#" * 19 + "] 12/12 job:週次レポート-")
    assert all(cells(line) < 60 for line in lines), shown
    assert len(lines) == 2, shown  # the bar and the exit line: nothing else on the screen


def test_without_a_terminal_each_change_is_listed_once(
    served: Any, cli: Any, write: Any, job: Any, manifest: Any
) -> None:
    path = write(manifest([job("ci-a"), job("ci-b")]))
    result = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
    assert result.code == EXIT_OK, result.out + result.err
    log = result.out + result.err  # a CI log holds both streams
    for name in ("ci-a", "ci-b"):
        assert log.count(f'+ job "{name}": created job_') == 1, log
        assert f'/2] + job "{name}": created job_' in result.err
    assert result.out.endswith(
        "\n\nApply complete: 2 created, 0 updated, 0 replaced, 0 deleted, 0 failed.\n"
    )


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_each_warning_is_printed_once_on_stderr(
    served: Any, cli: Any, write: Any, job: Any, manifest: Any, command: str
) -> None:
    path = write(manifest([job("warned")]))
    extra = ["--auto-approve"] if command == "apply" else []
    result = cli(command, path, "--api-url", served.api_url, "--target", "job:Nope", *extra)
    assert result.code == EXIT_OK, result.out + result.err
    warning = "--target job:Nope matches nothing"
    assert (result.out + result.err).count(warning) == 1
    assert f"warning: {warning}" in result.err


def test_a_saved_plans_warnings_are_printed_once_on_stderr_at_apply(
    served: Any, cli: Any, write: Any, job: Any, manifest: Any, tmp_path: Path
) -> None:
    path = write(manifest([job("kept")]))
    saved = tmp_path / "plan.json"
    targets = ["--target", "job:kept", "--target", "job:Nope"]
    made = cli("plan", path, "--api-url", served.api_url, *targets, "--out", saved)
    assert made.code == EXIT_OK, made.out + made.err
    result = cli("apply", saved, "--api-url", served.api_url)
    assert result.code == EXIT_OK, result.out + result.err
    warning = "--target job:Nope matches nothing"
    assert (result.out + result.err).count(warning) == 1, result.out + result.err
    assert f"warning: {warning}" in result.err
    assert "Apply complete: 1 created" in result.out


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


JOBS = 40


@pytest.mark.parametrize(("stop", "code"), [("C-c", EXIT_INTERRUPTED), ("TERM", EXIT_TERMINATED)])
def test_an_interrupted_apply_shows_a_short_summary_and_the_next_one_converges(
    emulator: Any, cli: Any, screen: Any, write: Any, job: Any, manifest: Any, stop: str, code: int
) -> None:
    served = emulator(latency_ms=60)
    names = [f"slow-{i:02}" for i in range(JOBS)]
    path = write(manifest([job(name) for name in names]))
    window = screen(120)
    window.start(apply_command(path, served.api_url, "--auto-approve", "--parallelism", "2"))
    wait_until(lambda: len(served.jobs()) >= 3)
    if stop == "C-c":
        window.tmux("send-keys", "C-c")  # what a person at the keyboard does
    else:
        os.kill(window.command_pid(), signal.SIGTERM)  # how CI runners cancel a job

    shown = window.wait_for("EXIT=")
    assert f"EXIT={code}" in shown, shown
    done = served.jobs()
    assert 3 <= len(done) < JOBS
    left = JOBS - len(done)
    assert f"  done ({len(done)}): job:slow-00, job:slow-01, job:slow-02" in shown, shown
    assert f"  not started ({left}): job:slow-" in shown and f"and {left - 5} more" in shown
    assert f"Apply interrupted: {len(done)} created, 0 updated" in shown
    assert "Traceback" not in shown
    again = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
    assert again.code == EXIT_OK, again.out + again.err
    assert f"Apply complete: {left} created" in again.out
    assert sorted(served.jobs()) == names  # no job twice


def test_ctrl_c_in_apply_piped_to_tee_still_shows_the_summary_and_exits_130(
    emulator: Any, cli: Any, screen: Any, write: Any, job: Any, manifest: Any, tmp_path: Path
) -> None:
    # ^C reaches tee as well: stdout has no reader left when the report is written.
    served = emulator(latency_ms=60)
    names = [f"teed-{i:02}" for i in range(JOBS)]
    path = write(manifest([job(name) for name in names]))
    log = tmp_path / "apply.log"
    window = screen(120)
    command = apply_command(path, served.api_url, "--auto-approve", "--parallelism", "2")
    window.start(f"{command} | tee {shlex.quote(str(log))}")
    wait_until(lambda: len(served.jobs()) >= 3)
    window.tmux("send-keys", "C-c")

    shown = window.wait_for("EXIT=")
    assert f"EXIT={EXIT_INTERRUPTED}" in shown, shown
    done = served.jobs()
    assert f"  done ({len(done)}): job:teed-00" in shown, shown
    assert f"Apply interrupted: {len(done)} created" in shown, shown
    assert "Traceback" not in shown and "Broken pipe" not in shown, shown
    again = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
    assert again.code == EXIT_OK, again.out + again.err
    assert sorted(served.jobs()) == names


def test_sigterm_at_the_question_stops_cleanly_and_changes_nothing(
    served: Any, screen: Any, write: Any, job: Any, manifest: Any
) -> None:
    path = write(manifest([job("never")]))
    window = screen(100)
    window.start(apply_command(path, served.api_url))
    window.wait_for("Enter a value:")
    os.kill(window.command_pid(), signal.SIGTERM)

    shown = window.wait_for("EXIT=")
    assert f"EXIT={EXIT_TERMINATED}" in shown, shown
    assert shown.rstrip().splitlines()[-2:] == ["terminated", f"EXIT={EXIT_TERMINATED}"], shown
    assert "Traceback" not in shown
    assert served.counter.writes() == []


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_sigterm_while_planning_stops_cleanly_and_changes_nothing(
    emulator: Any, write: Any, job: Any, manifest: Any, command: str
) -> None:
    served = emulator(latency_ms=1500)
    path = write(manifest([job("never")]))
    argv = [sys.executable, "-m", "bytestack_sync", command, str(path), "--api-url", served.api_url]
    child = subprocess.Popen(
        [*argv, "--auto-approve"] if command == "apply" else argv,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        wait_until(lambda: bool(served.counter.calls))  # reading the live workspace
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=DEADLINE)
    finally:
        child.kill()
    assert child.returncode == EXIT_TERMINATED, out + err
    assert err.strip() == "terminated" and out == ""
    assert served.counter.writes() == []


def test_the_cli_run_in_process_puts_the_sigterm_handler_back(
    served: Any, cli: Any, write: Any, job: Any, manifest: Any
) -> None:
    before = signal.getsignal(signal.SIGTERM)
    path = write(manifest([job("in-process")]))
    assert cli("plan", path, "--api-url", served.api_url).code == EXIT_OK
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == EXIT_OK
    assert signal.getsignal(signal.SIGTERM) is before
