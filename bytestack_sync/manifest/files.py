"""Which files the paths on the command line name, shown as the user wrote them."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from bytestack_sync.errors import Problem
from bytestack_sync.files import MIB, NotReadable, link_leaves, read_regular
from bytestack_sync.model import Location

SUFFIXES = (".yaml", ".yml")
# A manifest of 10,000 jobs is about 2 MiB.
MAX_MANIFEST_BYTES = 8 * MIB
MAX_DIRECTORY_DEPTH = 100


@dataclass
class FileSet:
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    empty_directories: list[str] = field(default_factory=list)


def find_files(paths: Sequence[str]) -> FileSet:
    """Files named directly, and every *.yaml / *.yml under a directory, sorted; each once.

    A path named directly is read wherever it leads. Under a directory, a symbolic
    link to a file is followed only when its target lies inside that directory;
    linked directories are not entered, and nor are directories nested more than
    MAX_DIRECTORY_DEPTH levels below it.
    """
    found = FileSet()
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            before = len(found.problems)
            names = _directory_files(path, found.problems)
            if not names and len(found.problems) == before:
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


def _directory_files(directory: str, problems: list[Problem]) -> list[str]:
    found: list[str] = []
    pending = [(directory, 0)]
    too_deep: list[str] = []
    while pending:  # not recursive: a deep tree must not exhaust the stack
        current, depth = pending.pop()
        try:
            with os.scandir(current) as scan:
                entries = list(scan)
        except OSError:
            continue  # as os.walk did: an unreadable directory holds nothing to read
        for entry in entries:
            # Hidden entries (.git, .bytestack) hold no manifests.
            if entry.name.startswith("."):
                continue
            path = os.path.join(current, entry.name)
            if _is_directory(entry):
                if entry.is_symlink():
                    continue  # a linked directory is not entered
                if depth < MAX_DIRECTORY_DEPTH:
                    pending.append((path, depth + 1))
                else:
                    too_deep.append(path)
            elif entry.name.endswith(SUFFIXES):
                if link_leaves(path, directory):
                    problems.append(Problem(Location(path), _LINK_OUT.format(directory)))
                else:
                    found.append(path)
    if too_deep:
        first = min(too_deep, key=_sort_key)
        message = (
            f"directories nested more than {MAX_DIRECTORY_DEPTH} levels below {directory} "
            "are not read"
        )
        problems.append(Problem(Location(first), message))
    return sorted(found, key=_sort_key)


_LINK_OUT = "a symbolic link to a file outside {}: not followed"


def _is_directory(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _sort_key(path: str) -> tuple[str, ...]:
    return tuple(os.path.normpath(path).split(os.sep))


def read_text(path: str) -> tuple[str | None, Problem | None]:
    """The file's text, or a problem saying why it cannot be read as UTF-8 text."""
    try:
        data = read_regular(path, MAX_MANIFEST_BYTES)
    except NotReadable as exc:
        return None, Problem(Location(path), f"cannot read: {exc}")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, Problem(Location(path, line, column), "not valid UTF-8 text")
