"""Whatever the document, loading it gives a desired state or located problems, never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bytestack_sync.errors import ManifestError, NothingToPlanError
from bytestack_sync.manifest import load_manifests

KEYS = st.sampled_from(
    [
        "version", "defaults", "prune", "ignore", "safety", "jobs", "webhooks", "name",
        "prompt", "sources", "schedule", "status", "webhook_url", "protect", "url", "events",
        "max_destroy_percent", "max_runs_per_day", "<<", "x",
    ]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "x",
            "reddit",
            "0 8 * * *",
            "@daily",
            "*/5 * * * *",
            "paused",
            "off",
            "https://hooks.example.com/a",
            "http://127.0.0.1/x",
            "job.completed",
            "${A}",
            "${secret:B:-x}",
            "$${",
            "${",
            "",
            " ",
        ]
    ),
    st.text(max_size=12),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=25,
)
DOCUMENTS = st.dictionaries(KEYS, VALUES, max_size=7)
YAML_TEXT = st.text(
    alphabet=st.sampled_from(list("abjos: -[]{},\n\t'\"&*!|>%@#?<$\\0128")), max_size=80
)


def _check(text: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "m.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            loaded = load_manifests([str(path)], environ={"A": "a"})
        except ManifestError as exc:
            assert exc.problems
            assert all(p.location.file == str(path) for p in exc.problems)
            assert all(p.location.line >= 1 and p.message for p in exc.problems)
            assert any(p.severity == "error" for p in exc.problems)
        except NothingToPlanError as exc:
            assert "refusing to plan the deletion of everything" in str(exc)
        else:
            assert loaded.file_count == 1


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(DOCUMENTS)
def test_any_structure_validates_or_yields_problems(document: dict[str, Any]) -> None:
    _check(yaml.safe_dump(document, allow_unicode=True))


@SETTINGS
@given(YAML_TEXT)
def test_any_text_validates_or_yields_problems(text: str) -> None:
    _check(text)


@SETTINGS
@given(
    st.lists(
        st.fixed_dictionaries(
            {"name": st.text(min_size=1, max_size=20), "prompt": st.text(max_size=20)},
            optional={
                "sources": st.lists(st.sampled_from(["x", "reddit", "redit"]), max_size=3),
                "schedule": st.sampled_from(["0 8 * * *", "@daily", "61 * * * *", "* * * *"]),
                "status": st.sampled_from(["active", "paused", "pausd"]),
                "protect": st.booleans(),
            },
        ),
        max_size=5,
    )
)
def test_near_valid_jobs_validate_or_yield_problems(jobs: list[dict[str, Any]]) -> None:
    _check(yaml.safe_dump({"jobs": jobs}, allow_unicode=True))
