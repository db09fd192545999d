"""Messages for unknown values: a close match, a well-known other name, or every valid value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bytestack_sync import contract
from bytestack_sync.errors import ManifestError
from bytestack_sync.manifest import load_manifests

ALL_SOURCES = ", ".join(contract.KNOWN_SOURCES)
ALL_EVENTS = ", ".join(contract.EVENT_TYPES)


def only_message(tmp_path: Path, sources: str, events: str) -> str:
    path = tmp_path / "m.yaml"
    path.write_text(
        f"jobs:\n  - {{name: A, prompt: p, sources: {sources}, schedule: '@daily'}}\n"
        f"webhooks:\n  - {{url: 'https://hooks.example.com/a', events: {events}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ManifestError) as raised:
        load_manifests([str(path)], environ={})
    (problem,) = raised.value.problems
    return problem.message


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("redit", "unknown source 'redit' (did you mean 'reddit'?)"),
        ("X", "unknown source 'X' (did you mean 'x'?)"),
        ("twitter", "unknown source 'twitter' (did you mean 'x'?)"),
        ("Twitter", "unknown source 'Twitter' (did you mean 'x'?)"),
        ("yt", "unknown source 'yt' (did you mean 'youtube'?)"),
        ("ig", "unknown source 'ig' (did you mean 'instagram'?)"),
        ("myspace", f"unknown source 'myspace'; known sources: {ALL_SOURCES}"),
    ],
)
def test_an_unknown_source(tmp_path: Path, source: str, message: str) -> None:
    assert only_message(tmp_path, f"[{source}]", "[job.completed]") == message


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ("job.complete", "unknown event type 'job.complete' (did you mean 'job.completed'?)"),
        ("success", f"unknown event type 'success'; known event types: {ALL_EVENTS}"),
    ],
)
def test_an_unknown_event(tmp_path: Path, event: str, message: str) -> None:
    assert only_message(tmp_path, "[x]", f"[{event}]") == message


def test_a_source_that_is_not_a_string_lists_the_valid_ones(tmp_path: Path) -> None:
    assert only_message(tmp_path, "[1]", "[job.completed]") == (
        f"sources[0] must be one of {ALL_SOURCES} (got an integer)"
    )
