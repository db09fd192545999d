"""The manifest tree a selection of paths belongs to, and what it holds outside them.

``plan bytestack/brands`` reads only that directory. When ``prune``, ``ignore`` or
``safety`` live in ``bytestack/settings.yaml``, the plan silently falls back to
their defaults (``prune: delete``) and may delete what the tree's other files
declare, showing values those files keep secret. So the tree is looked up: from
the selection upwards to the first directory holding a manifest with settings, or
to the repository root (a directory with ``.git``). Settings found there, outside
the selection, are warned about; values sensitive in any manifest of the tree are
masked. Problems in files outside the selection are not the selection's, and are
ignored, except where a file keeps a value secret that cannot be known (an unset
variable, a file that cannot be read): the plan could show it unmasked, so it stops.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

from bytestack_sync.errors import Problem
from bytestack_sync.files import link_leaves
from bytestack_sync.manifest.construct import PosDict
from bytestack_sync.manifest.document import Document, load_document
from bytestack_sync.manifest.files import SUFFIXES, find_files, read_text
from bytestack_sync.manifest.models import SINGLETON_SECTIONS
from bytestack_sync.model import Location

# What each setting falls back to when no file of the selection sets it.
_DEFAULTS = {"prune": "prune: delete", "ignore": "no ignore", "safety": "the default safety"}


@dataclass
class TreeSurvey:
    """What the tree around a selection holds outside it."""

    problems: list[Problem] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)


def survey_tree(
    paths: Sequence[str],
    loaded: Sequence[Document],
    settled: Collection[str],
    env: Mapping[str, str],
) -> TreeSurvey:
    """Warnings for settings outside ``loaded`` that it does not ``settle`` itself, and
    every value sensitive in the tree's other manifests."""
    survey = TreeSurvey()
    start = _start(paths)
    if start is None:
        return survey
    # By real path: the tree is found by real path, the selection named as written.
    documents = {os.path.realpath(d.file): d for d in loaded}
    inside = set(documents)

    def read(file: str) -> Document:
        real = os.path.realpath(file)
        if real not in documents:
            documents[real] = load_document(file, env)
        return documents[real]

    root, settings = _climb(start, read)
    if root is None or not settings:
        return survey  # no file of the tree sets anything: the selection stands alone
    setters = Counter(s for _, sections in settings for s in sections)
    for file, sections in settings:
        # A section set by several files breaks the tree's rule (one file only): the
        # directory holds separate manifests, not one tree's settings.
        missing = [s for s in sections if s not in settled and setters[s] == 1]
        if missing and os.path.realpath(file) not in inside:
            survey.problems.append(_warning(file, missing, root))
    # Sections set by several files: separate manifests side by side, not one tree
    # whose other files a plan of the selection would delete.
    one_tree = all(count == 1 for count in setters.values())
    for file in find_files([root]).files:
        if os.path.realpath(file) in inside:
            continue
        document = read(file)
        survey.secrets.update(v for v in document.sensitive_values if v)
        if one_tree:
            survey.problems.extend(_unmaskable(document))
    return survey


def _unmaskable(document: Document) -> list[Problem]:
    """Errors for what a file of the tree keeps secret but cannot say: a plan of the
    selection might show it (a delete of what that file declares), and could not mask
    it. Planning the whole tree would stop at the same place."""
    if not document.constructed:
        text, _ = read_text(document.file)
        if text is None or "${secret:" not in text:
            return []
        first = document.problems[0] if document.problems else None
        why = f" ({first.message})" if first is not None else ""
        where = first.location if first is not None else Location(document.file)
        return [
            Problem(_shown(where), f"cannot be read{why}, and it uses ${{secret:...}}: {_OUTSIDE}")
        ]
    return [
        Problem(_shown(problem.location), f"{problem.message}; {_OUTSIDE}")
        for problem in document.unresolved_secrets
    ]


def _shown(location: Location) -> Location:
    """Relative, as the selection's own problems are named (the tree is found by real path)."""
    return dataclasses.replace(location, file=os.path.relpath(location.file))


_OUTSIDE = (
    "this file is outside the paths given, but a plan of them could show the value it "
    "keeps secret and could not mask it"
)


def _start(paths: Sequence[str]) -> str | None:
    dirs = [
        p if os.path.isdir(p) else os.path.dirname(p) or "." for p in paths if os.path.exists(p)
    ]
    if not dirs:
        return None
    return os.path.commonpath([os.path.realpath(d) for d in dirs])


def _climb(
    start: str, read: Callable[[str], Document]
) -> tuple[str | None, list[tuple[str, list[str]]]]:
    """The tree's root, and the files directly in it that set settings, with them."""
    current = start
    while True:
        found = [(file, _sections(read(file))) for file in _direct_manifests(current)]
        with_settings = [(file, sections) for file, sections in found if sections]
        if with_settings:
            return current, with_settings
        if os.path.exists(os.path.join(current, ".git")):
            return current, []
        parent = os.path.dirname(current)
        if parent == current:
            return None, []  # no repository and no settings: no tree to speak of
        current = parent


def _direct_manifests(directory: str) -> list[str]:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    return [
        os.path.join(directory, name)
        for name in names
        if name.endswith(SUFFIXES)
        and not name.startswith(".")
        and os.path.isfile(os.path.join(directory, name))
        and not link_leaves(os.path.join(directory, name), directory)
    ]


def _sections(document: Document) -> list[str]:
    raw = document.raw
    if not isinstance(raw, PosDict):
        return []
    return [section for section in SINGLETON_SECTIONS if section in raw]


def _warning(file: str, sections: list[str], root: str) -> Problem:
    shown = os.path.relpath(file)
    names = ", ".join(sections)
    defaults = ", ".join(_DEFAULTS.get(s, s) for s in sections)
    message = (
        f"sets {names} for the manifest tree of the paths given but is not among them: "
        f"this run uses {defaults} instead. Give {os.path.relpath(root)} (or add {shown}) "
        "to use it."
    )
    return Problem(Location(shown), message, "warning")
