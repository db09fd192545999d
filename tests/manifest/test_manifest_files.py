"""Which files a selection reads: regular files only, links that stay in the tree, a
bounded depth of directories, and no file past the size cap."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bytestack_sync.manifest import collect
from bytestack_sync.manifest.files import MAX_DIRECTORY_DEPTH, find_files
from tests.children import run_cli

GOOD = 'version: 1\njobs:\n  - {name: a, prompt: p, sources: [x], schedule: "@daily"}\n'
# What a link out of the tree leads to: it must never reach a message.
PRIVATE = "private_token_7c1e: value-never-shown\n"


def _messages(paths: list[str]) -> list[str]:
    return [str(p) for p in collect(paths, environ={}).problems]


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()  # the tree survey stops here
    (tmp_path / "tree" / "sub").mkdir(parents=True)
    (tmp_path / "tree" / "sub" / "jobs.yaml").write_text(GOOD)
    (tmp_path / "private.yaml").write_text(PRIVATE)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "tree"


def test_a_link_out_of_the_tree_is_not_followed(tree: Path) -> None:
    (tree / "leak.yaml").symlink_to(tree.parent / "private.yaml")
    messages = _messages(["tree"])
    assert messages == ["tree/leak.yaml: a symbolic link to a file outside tree: not followed"]
    assert not any("private_token" in m for m in messages)


def test_a_relative_link_that_climbs_out_is_not_followed(tree: Path) -> None:
    (tree / "sub" / "leak.yml").symlink_to("../../private.yaml")
    assert _messages(["tree"]) == [
        "tree/sub/leak.yml: a symbolic link to a file outside tree: not followed"
    ]


def test_a_link_inside_the_tree_is_followed_and_read_once(tree: Path) -> None:
    (tree / "other.yaml").symlink_to("sub/jobs.yaml")
    found = find_files(["tree"])
    assert found.files == ["tree/other.yaml"]  # the same file: read once
    assert found.problems == []


def test_a_path_named_directly_is_read_wherever_it_leads(tree: Path) -> None:
    (tree / "leak.yaml").symlink_to(tree.parent / "private.yaml")
    assert _messages(["tree/leak.yaml"]) == [
        "tree/leak.yaml:1:1: unknown key 'private_token_7c1e' at the top level"
    ]


def test_a_linked_directory_is_not_entered(tree: Path) -> None:
    (tree.parent / "elsewhere").mkdir()
    (tree.parent / "elsewhere" / "more.yaml").write_text(PRIVATE)
    (tree / "linked").symlink_to(tree.parent / "elsewhere", target_is_directory=True)
    assert find_files(["tree"]).files == ["tree/sub/jobs.yaml"]


def test_a_file_past_the_size_cap_is_refused_unread(tree: Path) -> None:
    with open(tree / "huge.yaml", "wb") as handle:
        handle.truncate(8 * 1024 * 1024 + 1)
    assert _messages(["tree"]) == [
        "tree/huge.yaml: cannot read: it is larger than 8 MiB, the limit"
    ]


def _validate_in_child(path: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("validate", path.name, cwd=path.parent)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_like_a_manifest_is_refused_without_blocking(tree: Path) -> None:
    os.mkfifo(tree / "pipe.yaml")
    done = _validate_in_child(tree)
    assert done.returncode == 1
    assert done.stderr == "tree/pipe.yaml: cannot read: it is a FIFO, not a regular file\n"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_a_link_to_dev_zero_is_refused_without_reading_it(tree: Path) -> None:
    (tree / "zero.yaml").symlink_to("/dev/zero")
    done = _validate_in_child(tree)
    assert done.returncode == 1
    assert done.stderr == "tree/zero.yaml: a symbolic link to a file outside tree: not followed\n"
    (tree / "zero.yaml").unlink()
    (tree / "zero.yaml").symlink_to("/dev/zero")
    done = _validate_in_child(tree / "zero.yaml")  # named directly: followed, and refused
    assert done.returncode == 1
    assert done.stderr == "zero.yaml: cannot read: it is a character device, not a regular file\n"


@pytest.fixture
def nest() -> Iterator[Callable[[Path, int], Path]]:
    """Makes ``levels`` directories one inside the other, without recursion, and removes
    them bottom-up afterwards: a recursive removal (pytest's own) cannot."""
    made: list[Path] = []

    def make(top: Path, levels: int) -> Path:
        current = top
        for _ in range(levels):
            current = current / "d"
            current.mkdir()
            made.append(current)
        return current

    yield make
    for directory in reversed(made):
        for file in directory.iterdir():
            if not file.is_dir():
                file.unlink()
        directory.rmdir()


def test_a_directory_tree_nested_too_deeply_is_a_clear_error(
    tree: Path, nest: Callable[[Path, int], Path]
) -> None:
    deepest = nest(tree, 1000)
    (deepest / "jobs.yaml").write_text(GOOD)
    found = find_files(["tree"])
    assert found.files == ["tree/sub/jobs.yaml"]
    [problem] = found.problems
    assert problem.location.file == os.path.join("tree", *["d"] * (MAX_DIRECTORY_DEPTH + 1))
    assert problem.message == (
        f"directories nested more than {MAX_DIRECTORY_DEPTH} levels below tree are not read"
    )
    assert problem.severity == "error"


def test_a_directory_tree_as_deep_as_the_cap_is_read(
    tree: Path, nest: Callable[[Path, int], Path]
) -> None:
    deepest = nest(tree, MAX_DIRECTORY_DEPTH)
    (deepest / "deep.yaml").write_text(GOOD.replace("name: a", "name: b"))
    found = find_files(["tree"])
    assert found.problems == []
    assert found.files[0] == os.path.join("tree", *["d"] * MAX_DIRECTORY_DEPTH, "deep.yaml")
