"""``validate``: every offline check, every problem at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TextIO

from bytestack_sync.errors import EXIT_ERROR, EXIT_OK, Problem, shown_problems
from bytestack_sync.manifest import collect
from bytestack_sync.manifest.loader import Collection
from bytestack_sync.model import JobSpec, Location
from bytestack_sync.secrets import Redactor, sensitive_display


def run(
    paths: Sequence[str],
    *,
    out: TextIO,
    err: TextIO,
    github: bool,
    verbosity: int,
    allow_missing_env: bool = False,
    redactor: Redactor | None = None,
) -> int:
    """Print every problem, then a summary; 1 if any is an error.

    ``allow_missing_env`` turns unset variables into warnings (see ``collect``);
    ``redactor`` is the run's, which the streams scrub with (a fresh one if not given).
    """
    collection = collect(paths, allow_missing_env=allow_missing_env)
    # Before anything prints: the streams scrub what the redactor knows.
    redactor = Redactor() if redactor is None else redactor
    redactor.add(*collection.desired.sensitive_values)
    errors = collection.errors
    problems = list(collection.problems)
    nothing = collection.nothing_to_plan
    if nothing and not errors:
        where = Location(nothing.where) if nothing.where else _where(paths)
        errors = [Problem(where, nothing.for_validate)]
        problems += errors
    shown, more = shown_problems(sorted(problems))
    for problem in shown:
        err.write(f"{problem}\n")
        if github:
            out.write(annotation(problem))
    if more:
        err.write(f"{more}\n")
    if verbosity > 0:
        _verbose(collection, err)
    if errors or verbosity >= 0:
        out.write(summary(collection, len(errors)) + "\n")
    return EXIT_ERROR if errors else EXIT_OK


def _where(paths: Sequence[str]) -> Location:
    return Location(paths[0] if paths else ".")


def summary(collection: Collection, error_count: int) -> str:
    files = _count(len(collection.files), "file")
    jobs = _count(collection.job_count, "job")
    webhooks = _count(collection.webhook_count, "webhook")
    verdict = _count(error_count, "error") if error_count else "valid"
    return f"{files}, {jobs}, {webhooks}: {verdict}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _verbose(collection: Collection, err: TextIO) -> None:
    for file in collection.files:
        err.write(f"read {file}\n")
    for job in collection.desired.jobs:
        name = _shown(job, "name", job.name, repr)
        schedule = _shown(job, "schedule", job.schedule, str)
        err.write(f"job {name}: {schedule} ({', '.join(sorted(job.sources))})\n")


def _shown(job: JobSpec, field: str, value: str, plain: Callable[[str], str]) -> str:
    # The redactor skips values too short to scrub safely; a sensitive field is never shown.
    return sensitive_display(value) if field in job.sensitive else plain(value)


def annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command that marks the problem on the file in a pull request."""
    kind = "warning" if problem.severity == "warning" else "error"
    location = problem.location
    props = [f"file={_escape_property(location.file)}"]
    if location.line > 0:
        props += [f"line={location.line}", f"col={location.column}"]
    return f"::{kind} {','.join(props)}::{_escape_data(problem.message)}\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
