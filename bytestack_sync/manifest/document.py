"""One manifest file: read, compose, construct, validate, build its specs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from pydantic import ValidationError

from bytestack_sync.errors import Problem
from bytestack_sync.manifest.build import FileBuilder, FileSpecs, misplaced_secrets
from bytestack_sync.manifest.construct import Constructor, PosDict, PosList, TooLarge
from bytestack_sync.manifest.diagnostics import ErrorTranslator
from bytestack_sync.manifest.files import read_text
from bytestack_sync.manifest.models import ManifestModel
from bytestack_sync.manifest.partial import items, partial_build
from bytestack_sync.manifest.yamlsyntax import YamlSyntaxError, compose
from bytestack_sync.model import Location


@dataclass
class Document:
    """What one file contributed, and what was wrong with it."""

    file: str
    raw: PosDict | None = None
    model: ManifestModel = field(default_factory=ManifestModel)
    specs: FileSpecs = field(default_factory=FileSpecs)
    problems: list[Problem] = field(default_factory=list)
    sensitive_values: set[str] = field(default_factory=set)
    unresolved_secrets: list[Problem] = field(default_factory=list)
    # Whether the file could be read as YAML at all: if not, nothing is known of it.
    constructed: bool = False
    declared_jobs: int = 0
    declared_webhooks: int = 0


def load_document(file: str, environ: Mapping[str, str]) -> Document:
    document = Document(file)
    text, problem = read_text(file)
    if problem is not None or text is None:
        document.problems.append(problem or Problem(Location(file), "cannot read"))
        return document
    try:
        node = compose(text, file)
    except YamlSyntaxError as exc:
        document.problems.append(exc.problem)
        return document
    if node is None:
        document.constructed = True  # an empty file: nothing in it to know
        return document
    constructor = Constructor(file, environ)
    try:
        raw = constructor.construct(node)
    except TooLarge as exc:
        document.problems.append(exc.problem)
        return document
    document.problems.extend(constructor.problems)
    document.sensitive_values = constructor.sensitive_values
    document.unresolved_secrets = constructor.unresolved_secrets
    document.constructed = True
    _count_declared(document, raw)
    _validate(document, raw, constructor)
    document.problems.extend(misplaced_secrets(constructor.secret_uses, raw, file))
    return document


def _count_declared(document: Document, raw: Any) -> None:
    if isinstance(raw, PosDict):
        jobs, webhooks = raw.get("jobs"), raw.get("webhooks")
        document.declared_jobs = len(jobs) if isinstance(jobs, PosList) else 0
        document.declared_webhooks = len(webhooks) if isinstance(webhooks, PosList) else 0


def _sensitivity(uses: Any) -> Any:
    marked = {(id(use.owner), use.key) for use in uses}

    def is_sensitive(container: Any, key: int | str) -> bool:
        return (id(container), key) in marked

    return is_sensitive


def _validate(document: Document, raw: Any, constructor: Constructor) -> None:
    translator = ErrorTranslator(document.file, raw, _sensitivity(constructor.secret_uses))
    try:
        model = ManifestModel.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        document.problems.extend(translator.problems(errors))
        if isinstance(raw, PosDict):
            document.raw, document.model, builder, jobs, webhooks = partial_build(
                document.file, raw, errors
            )
            document.specs = builder.build(jobs, webhooks)
            document.problems.extend(document.specs.problems)
        return
    document.raw = raw if isinstance(raw, PosDict) else None
    document.model = model
    builder = FileBuilder(document.file, model, document.raw)
    jobs = list(zip(model.jobs, items(document.raw, "jobs"), repeat(True)))
    webhooks = list(zip(model.webhooks, items(document.raw, "webhooks"), repeat(True)))
    document.specs = builder.build(jobs, webhooks)
    document.problems.extend(document.specs.problems)
