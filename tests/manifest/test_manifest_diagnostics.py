"""Messages for unknown values: a close match, a well-known other name, or every valid value."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from yaml.nodes import MappingNode, Node

from bytestack_sync import contract
from bytestack_sync.errors import ManifestError
from bytestack_sync.manifest import document, load_manifests
from bytestack_sync.manifest.yamlsyntax import compose

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


class _CountedKeys(list[tuple[Node, Node]]):
    """A mapping node's (key, value) pairs, counting the walks through them."""

    walks = 0

    def __iter__(self) -> Iterator[tuple[Node, Node]]:
        type(self).walks += 1
        return super().__iter__()


def test_problems_are_located_without_walking_their_mapping_once_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Walking a mapping's keys to locate each unknown key made reporting quadratic:
    # 40,000 of them took minutes. A walk per mapping, not per problem.
    unknown = 2_000
    lines = [f"unknown_{index:05d}: 1" for index in range(unknown)]
    path = tmp_path / "m.yaml"
    path.write_text("version: 1\n<<: {merged: 1}\n" + "\n".join(lines) + "\n")

    def counted(text: str, file: str) -> Node | None:
        node = compose(text, file)
        assert isinstance(node, MappingNode)
        node.value = _CountedKeys(node.value)
        return node

    monkeypatch.setattr(document, "compose", counted)
    _CountedKeys.walks = 0
    loaded = document.load_document(str(path), {})
    assert len(loaded.problems) == unknown + 1
    assert str(loaded.problems[0]) == f"{path}:2:6: unknown key 'merged' at the top level"
    assert (
        str(loaded.problems[-1])
        == f"{path}:{unknown + 2}:1: unknown key 'unknown_01999' at the top level"
    )
    assert _CountedKeys.walks <= 5
