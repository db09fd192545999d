"""Which files the paths on the command line name, shown as the user wrote them."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from bytestack_sync.errors import Problem
from bytestack_sync.model import Location

SUFFIXES = (".yaml", ".yml")


@dataclass
class FileSet:
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    empty_directories: list[str] = field(default_factory=list)


def find_files(paths: Sequence[str]) -> FileSet:
    """Files named directly, and every *.yaml / *.yml under a directory, sorted; each once."""
    found = FileSet()
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            names = _directory_files(path)
            if not names:
                found.empty_directories.append(path)
        elif os.path.exists(path):
            names = [path]
        else:
            found.problems.append(Problem(Location(path), "no such file or directory"))
            continue
        for name in names:
            real = os.path.realpath(name)
            if real not in seen:
                seen.add(real)
                found.files.append(name)
    return found


def _directory_files(directory: str) -> list[str]:
    found: list[str] = []
    for root, dirs, files in os.walk(directory):
        # Hidden directories (.git, .bytestack) hold no manifests.
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.endswith(SUFFIXES) and not name.startswith("."):
                found.append(os.path.join(root, name))
    return sorted(found, key=_sort_key)


def _sort_key(path: str) -> tuple[str, ...]:
    return tuple(os.path.normpath(path).split(os.sep))


def read_text(path: str) -> tuple[str | None, Problem | None]:
    """The file's text, or a problem saying why it cannot be read as UTF-8 text."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return None, Problem(Location(path), f"cannot read: {exc.strerror or exc}")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, Problem(Location(path, line, column), "not valid UTF-8 text")
