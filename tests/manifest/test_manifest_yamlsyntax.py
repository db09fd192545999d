"""The composer: libyaml and pure Python agree on nodes and marks; errors are located."""

from __future__ import annotations

from pathlib import Path

import pytest
from yaml.nodes import MappingNode, Node, SequenceNode

from bytestack_sync.manifest.yamlsyntax import LIBYAML, YamlSyntaxError, compose

ROOT = Path(__file__).resolve().parents[2]
VALID = sorted((ROOT / "examples").glob("**/*.yaml"))
INVALID = sorted((Path(__file__).parent / "yaml_test_suite_errors").glob("*.yaml"))


def _shape(node: Node | None) -> object:
    if node is None:
        return None
    mark = (node.tag, node.start_mark.line, node.start_mark.column)
    if isinstance(node, MappingNode):
        return (mark, [(_shape(k), _shape(v)) for k, v in node.value])
    if isinstance(node, SequenceNode):
        return (mark, [_shape(item) for item in node.value])
    return (mark, node.value)


def test_libyaml_is_used_here() -> None:
    assert LIBYAML


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_both_composers_agree(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _shape(compose(text, "f")) == _shape(compose(text, "f", pure=True))


@pytest.mark.parametrize("path", INVALID[:30], ids=lambda p: p.name)
def test_the_pure_composer_locates_errors_too(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        compose(text, "f", pure=True)
    except YamlSyntaxError as exc:
        assert exc.problem.location.line >= 1
        assert exc.problem.message.startswith("invalid YAML: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: true\nb: yes\nc: off\nd: ~\ne: 0x1F\nf: 1_000\ng: .inf\nh: 2024-01-01\n", None),
        ("prompt: é ü\nschedule: @daily\n", "2:11: invalid YAML: found character"),
    ],
)
def test_core_schema_tags_and_hints_after_non_ascii(text: str, expected: str | None) -> None:
    if expected is None:
        node = compose(text, "f")
        assert isinstance(node, MappingNode)
        tags = [value.tag.rsplit(":", 1)[1] for _, value in node.value]
        # YAML 1.2 core: yes, off, 1_000 (no underscores) and dates are strings.
        assert tags == ["bool", "str", "str", "null", "int", "str", "float", "str"]
        return
    with pytest.raises(YamlSyntaxError) as raised:
        compose(text, "f")
    assert str(raised.value).startswith(f"f:{expected}")
    assert str(raised.value).endswith('quote a value that starts with @, e.g. "@daily"')


def test_nesting_too_deep_for_the_pure_composer_is_a_syntax_error() -> None:
    text = "jobs: " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(YamlSyntaxError) as raised:
        compose(text, "f", pure=True)
    assert str(raised.value) == "f:1:1: invalid YAML: nested too deeply to read"
