"""The manifest tree a selection of paths belongs to, and what it holds outside them.

``plan bytestack/brands`` reads only that directory. When ``prune``, ``ignore`` or
``safety`` live in ``bytestack/settings.yaml`` (or ``bytestack/settings/prune.yaml``),
the plan silently falls back to their defaults (``prune: delete``) and may delete
what the tree's other files declare, showing values those files keep secret. So
the tree is looked up, from the selection upwards: its root is the first directory
that holds a settings file itself, or, within a repository (up to the directory
with ``.git``), the first whose YAML files are all manifests and one of them, at any
depth, sets settings. A settings file is a manifest (its keys are a manifest's, or
it says ``version: 1``), not any YAML with an ``ignore:`` key. Settings found in the
tree outside the selection are warned about; values sensitive in any manifest of
the tree are masked. Problems in files outside the selection are not the
selection's, and are ignored, except where a file keeps a value secret that cannot
be known (an unset variable, a file that cannot be read): the plan could show it
unmasked, so it stops.
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
from bytestack_sync.manifest.files import SUFFIXES, find_files
from bytestack_sync.manifest.models import MANIFEST_VERSION, SINGLETON_SECTIONS, ManifestModel
from bytestack_sync.model import Location

# What each setting falls back to when no file of the selection sets it.
_DEFAULTS = {"prune": "prune: delete", "ignore": "no ignore", "safety": "the default safety"}
_MANIFEST_KEYS = frozenset(ManifestModel.model_fields)
_SECRET_MARK = "${secret:"


@dataclass
class TreeSurvey:
    """What the tree around a selection holds outside it."""

    problems: list[Problem] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)
    # (resource type, identity, sensitive field names) of each resource declared
    # outside the selection with a sensitive field (``DesiredState.tree_sensitive``).
    sensitive: list[tuple[str, str, frozenset[str]]] = field(default_factory=list)


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

    root = _root(start, inside, read)
    if root is None:
        return survey  # no file of the tree sets anything: the selection stands alone
    members = [f for f in find_files([root]).files if _is_manifest(read(f))]
    settings = [(f, sections) for f in members if (sections := _sections(read(f)))]
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
    for file in members:
        if os.path.realpath(file) in inside:
            continue
        document = read(file)
        survey.secrets.update(v for v in document.sensitive_values if v)
        survey.sensitive.extend(
            ("job", job.name, job.sensitive) for job in document.specs.jobs if job.sensitive
        )
        survey.sensitive.extend(
            ("webhook", hook.url, hook.sensitive)
            for hook in document.specs.webhooks
            if hook.sensitive
        )
        if one_tree:
            survey.problems.extend(_unmaskable(document))
    return survey


def _unmaskable(document: Document) -> list[Problem]:
    """Errors for what a file of the tree keeps secret but cannot say: a plan of the
    selection might show it (a delete of what that file declares), and could not mask
    it. Planning the whole tree would stop at the same place."""
    if not document.constructed:
        if not _mentions_secret(document.file):
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


def _root(start: str, inside: Collection[str], read: Callable[[str], Document]) -> str | None:
    """The tree's root: the first directory from ``start`` upwards that holds a settings
    file itself, or, within a repository, whose files are all manifests and one of
    them (anywhere below it) sets settings. With no settings anywhere, the highest
    directory within the repository whose files are all manifests: a plan of part of
    it deletes the rest, so the rest's secrets must be masked. ``None`` when no other
    manifest is known to belong with the selection."""
    ceiling = _repository(start)
    below: list[str] = []  # the manifests below ``current`` already seen, outside the selection
    only_manifests = ceiling is not None
    region: str | None = None  # the highest directory so far holding only manifests
    current = start
    while True:
        if any(_sections(read(f)) for f in _direct_manifests(current)):
            return current
        if only_manifests:
            only_manifests = _gather(current, below, inside, read)
            if only_manifests and any(_sections(read(f)) for f in below):
                return current
            if only_manifests and below:
                region = current
        parent = os.path.dirname(current)
        if current == ceiling or parent == current:
            return region  # no settings: the manifests around the selection, if any
        current = parent


def _repository(start: str) -> str | None:
    """The repository root above ``start`` (a directory with ``.git``), if any."""
    current = start
    while not os.path.exists(os.path.join(current, ".git")):
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent
    return current


def _gather(
    directory: str, below: list[str], inside: Collection[str], read: Callable[[str], Document]
) -> bool:
    """Add the manifests under ``directory`` not yet in ``below``; False at the first
    YAML file that is not a manifest (a workflow, a tool's configuration): such a
    directory is a repository or a folder of examples, not one manifest tree."""
    seen = set(below)
    for file in find_files([directory]).files:
        if file in seen or os.path.realpath(file) in inside:
            continue
        if not _is_manifest(read(file)):
            return False
        below.append(file)
    return True


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
    """The settings a manifest sets; none for any other YAML (``ignore:`` in codecov.yml)."""
    raw = document.raw
    if not isinstance(raw, PosDict) or not _is_manifest(document):
        return []
    return [section for section in SINGLETON_SECTIONS if section in raw]


def _is_manifest(document: Document) -> bool:
    """Whether a file is a manifest: its top-level keys are a manifest's, or it says
    ``version: 1``. A file that cannot be read cannot say, and counts as one."""
    if not document.constructed:
        return True
    raw = document.raw
    if raw is None:
        return not document.problems  # empty, or not a mapping
    version = raw.get("version")
    return set(raw) <= _MANIFEST_KEYS or (type(version) is int and version == MANIFEST_VERSION)


def _mentions_secret(file: str) -> bool:
    """Whether a file that cannot be read as YAML (not UTF-8, broken) uses ``${secret:``."""
    try:
        with open(file, "rb") as handle:
            data = handle.read()
    except OSError:
        return False
    return any(_SECRET_MARK.encode(codec) in data for codec in ("utf-8", "utf-16-le", "utf-16-be"))


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
