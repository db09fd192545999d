"""Progress on stderr and the report on stdout."""

from __future__ import annotations

import fcntl
import io
import os
import select
import struct
import termios

import pytest

from bytestack_sync.apply.progress import (
    CLEAR_TO_END,
    BarProgress,
    LineProgress,
    NoProgress,
    fit,
    progress_for,
)
from bytestack_sync.apply.report import ApplyReport, ChangeOutcome, write_report
from bytestack_sync.model import JobSpec
from bytestack_sync.plan.changes import Change, Create, Delete, Pause, Replace, Update


def change(kind: type[Change] = Create, key: str = "a", resource: str = "job") -> Change:
    return kind(resource=resource, key=key)  # type: ignore[arg-type]


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_one_line_per_change_when_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = LineProgress(stream)
    progress.start(12)
    progress.done(ChangeOutcome(change(), "ok", "created job_1"))
    progress.done(ChangeOutcome(change(Delete, "b"), "failed", "the API failed (500)"))
    progress.finish()
    assert stream.getvalue() == (
        '[ 1/12] + job "a": created job_1\n[ 2/12] - job "b": failed: the API failed (500)\n'
    )


def test_a_terminal_gets_one_redrawn_bar_and_failures_above_it() -> None:
    stream = Tty()
    progress = BarProgress(stream, columns=13)  # a bar of 12 // 3 = 4 cells
    progress.start(2)
    progress.done(ChangeOutcome(change(), "ok", "created job_1"))
    progress.done(ChangeOutcome(change(key="b"), "failed", "boom"))
    progress.finish()
    text = stream.getvalue()
    assert text.startswith(f"\r[##..] 1/2 j{CLEAR_TO_END}")
    assert '[2/2] + job "b": failed: boom\n' in text
    assert text.endswith(f"\r[####] 2/2 j{CLEAR_TO_END}\n")


@pytest.mark.parametrize(
    ("text", "columns", "shown"),
    [
        ("job:abc", 5, "job:a"),
        ("job:日本語", 8, "job:日本"),  # wide characters take two columns each
        ("job:日本語", 9, "job:日本"),  # half a wide character is not drawn
        ("job:e\u0301t\u00e9", 7, "job:e\u0301t\u00e9"),  # a combining accent takes none
    ],
)
def test_the_bar_is_cut_to_the_terminal_columns(text: str, columns: int, shown: str) -> None:
    assert fit(text, columns) == shown


@pytest.mark.parametrize(
    ("stream", "verbosity", "kind"),
    [(io.StringIO(), 0, LineProgress), (Tty(), 0, BarProgress), (Tty(), -1, NoProgress)],
)
def test_progress_for_picks_the_display(stream: io.StringIO, verbosity: int, kind: type) -> None:
    assert isinstance(progress_for(stream, verbosity=verbosity), kind)


def test_the_report_lists_every_change_then_the_summary() -> None:
    spec = JobSpec(name="c", prompt="p", sources=frozenset({"x"}), schedule="@daily")
    report = ApplyReport(
        outcomes=[
            ChangeOutcome(change(Create, "a"), "ok", "created job_1", "job_1"),
            ChangeOutcome(change(Update, "b"), "ok", "updated job_2 (schedule)"),
            ChangeOutcome(Replace(resource="job", key="c", desired=spec), "failed", "400"),
            ChangeOutcome(change(Pause, "d"), "ok", "paused job_4"),
            ChangeOutcome(change(Delete, "e"), "skipped", "not started: apply was interrupted"),
        ],
        remaining=(),
    )
    out = io.StringIO()
    write_report(report, out)
    assert out.getvalue() == (
        '  + job "a": created job_1\n'
        '  ~ job "b": updated job_2 (schedule)\n'
        '  -/+ job "c": failed: 400\n'
        '  ~ job "d": paused job_4\n'
        '  - job "e": skipped: not started: apply was interrupted\n'
        "\n"
        "Apply complete: 1 created, 1 updated, 0 replaced, 0 deleted, 1 paused, "
        "1 failed, 1 skipped.\n"
    )


def test_quiet_reports_only_what_went_wrong() -> None:
    report = ApplyReport(
        outcomes=[
            ChangeOutcome(change(Create, "a"), "ok", "created job_1"),
            ChangeOutcome(change(Create, "b"), "failed", "boom"),
        ],
        remaining=(),
    )
    out = io.StringIO()
    write_report(report, out, verbose=False)
    assert out.getvalue().splitlines()[0] == '  + job "b": failed: boom'
    assert "job_1" not in out.getvalue()


SKIPPED = ChangeOutcome(change(Create, "b"), "skipped", "not started: apply was interrupted")


@pytest.mark.parametrize(
    ("report", "tail"),
    [
        (
            ApplyReport(outcomes=[SKIPPED], interrupted=True),
            "Run apply again to make the remaining changes.\n",
        ),
        (
            ApplyReport(remaining=(change(Create, "late"),)),
            "re-plan still finds 1 change(s):\n  + job:late\n",
        ),
    ],
)
def test_the_report_ends_with_what_is_left(report: ApplyReport, tail: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    write_report(report, out, err=err)
    assert out.getvalue().endswith(tail)
    assert err.getvalue() == ""


@pytest.mark.parametrize(
    "report",
    [
        ApplyReport(confirm_error="the API failed"),
        # Every change made, then Ctrl-C during the confirming read.
        ApplyReport(
            outcomes=[ChangeOutcome(change(), "ok", "created job_1")],
            interrupted=True,
            confirm_error="the API failed",
        ),
    ],
)
def test_an_unconfirmed_result_is_a_warning_on_stderr(report: ApplyReport) -> None:
    out, err = io.StringIO(), io.StringIO()
    write_report(report, out, err=err)
    assert err.getvalue() == "warning: could not confirm the result: the API failed\n"
    assert "warning" not in out.getvalue() and "Run apply again" not in out.getvalue()
    assert out.getvalue().endswith(report.summary() + "\n")


def test_the_warning_goes_to_stderr_when_no_stream_is_given(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = io.StringIO()
    write_report(ApplyReport(confirm_error="the API failed"), out)
    assert capsys.readouterr().err == "warning: could not confirm the result: the API failed\n"
    assert "warning" not in out.getvalue()


@pytest.mark.parametrize("progress_type", [LineProgress, BarProgress])
def test_changes_an_interrupt_left_unstarted_get_no_line_each(progress_type: type) -> None:
    # The report's short summary counts and names them; 390 lines would bury it.
    stream = io.StringIO()
    progress = progress_type(stream)
    progress.start(3)
    progress.done(ChangeOutcome(change(Create, "made"), "ok", "created job_1"))
    progress.done(ChangeOutcome(change(Create, "broke"), "failed", "boom"))
    progress.done(SKIPPED)
    progress.finish()
    shown = stream.getvalue()
    assert 'job "broke": failed: boom' in shown
    assert 'job "b"' not in shown and "not started" not in shown


@pytest.mark.parametrize("progress_type", [LineProgress, BarProgress])
def test_an_interrupt_leaves_the_count_where_the_run_stopped(progress_type: type) -> None:
    stream = Tty() if progress_type is BarProgress else io.StringIO()
    progress = progress_type(stream)
    progress.start(4)
    progress.done(ChangeOutcome(change(Create, "made"), "ok", "created job_1"))
    progress.done(SKIPPED)
    progress.done(SKIPPED)
    progress.finish()
    shown = stream.getvalue()
    assert "1/4" in shown and "3/4" not in shown and "4/4" not in shown


def _set_width(fd: int, columns: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))


def test_the_bar_follows_a_resized_terminal() -> None:
    # A real pseudo-terminal, resized between two changes as a user resizes a window.
    leader, follower = os.openpty()
    try:
        _set_width(follower, 100)
        with open(follower, "w", encoding="utf-8", closefd=False) as stream:
            progress = BarProgress(stream)
            progress.start(2)
            long = "a job with a name far longer than forty columns of a narrowed window"
            progress.done(ChangeOutcome(change(key=long), "ok", "created job_1"))
            _set_width(follower, 40)
            progress.done(ChangeOutcome(change(key=long), "ok", "created job_2"))
            stream.flush()
        shown = b""
        while select.select([leader], [], [], 0.5)[0]:
            shown += os.read(leader, 65536)
    finally:
        os.close(leader)
        os.close(follower)
    drawn = [p.replace(CLEAR_TO_END, "") for p in shown.decode("utf-8").split("\r") if "/2" in p]
    first, last = drawn
    assert len(first) > 40 and "1/2" in first
    assert len(last) <= 39 and "2/2" in last
