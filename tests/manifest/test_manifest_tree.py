"""The manifest tree around a selection: where its root is, what counts as its settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from bytestack_sync.manifest.loader import collect

HOOK = "https://hooks.example.com/t/tree-sibling-secret-5531"
ALERTS = (
    "version: 1\njobs:\n  - {name: alerts, prompt: Outage?, sources: [reddit],"
    " schedule: '@daily', webhook_url: '${secret:ALERTS_HOOK}'}\n"
)
ACME = "version: 1\njobs:\n  - {name: acme, prompt: News?, sources: [reddit], schedule: '@daily'}\n"
UNSET = "version: 1\nwebhooks:\n  - url: '${secret:NOT_SET_ANYWHERE}'\n"


def _tree(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    """A repository holding ``files``; the working directory is its root."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return repo


def _messages(paths: list[str]) -> list[str]:
    collection = collect(paths, environ={"ALERTS_HOOK": HOOK})
    return [f"{p.location}: {p.severity}: {p.message}" for p in collection.problems]


@pytest.mark.parametrize(
    "settings_file",
    ["bytestack/settings/settings.yaml", "bytestack/ops/deep/prune.yaml"],
)
def test_settings_in_a_subdirectory_of_the_tree_are_found_and_its_secrets_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_file: str
) -> None:
    # No ancestor of bytestack/brands holds a settings file itself.
    repo = _tree(
        tmp_path,
        {
            settings_file: "version: 1\nprune: off\n",
            "bytestack/alerts.yaml": ALERTS,
            "bytestack/brands/acme.yaml": ACME,
        },
    )
    monkeypatch.chdir(repo)
    collection = collect(["bytestack/brands"], environ={"ALERTS_HOOK": HOOK})
    (warning,) = collection.warnings
    assert str(warning.location) == settings_file
    assert warning.message.startswith("sets prune for the manifest tree of the paths given")
    assert f"Give bytestack (or add {settings_file})" in warning.message
    assert HOOK in collection.desired.tree_secrets


def test_a_directory_holding_yaml_that_is_not_a_manifest_is_not_one_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The quick start's examples/: a manifest beside a team's tree and CI workflows.
    repo = _tree(
        tmp_path,
        {
            "examples/minimal.yaml": ACME,
            "examples/team/settings.yaml": "version: 1\nprune: pause\n",
            "examples/team/alerts.yaml": ALERTS,
            "examples/ci/github-actions.yml": "name: plan\non: [push]\njobs: {}\n",
        },
    )
    monkeypatch.chdir(repo)
    assert _messages(["examples/minimal.yaml"]) == []
    # Within the team's tree, its settings apply.
    (warning,) = _messages(["examples/team/alerts.yaml"])
    assert warning.startswith("examples/team/settings.yaml: warning: sets prune")


def test_settings_found_in_a_subdirectory_stop_at_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _tree(tmp_path, {"work/bytestack/brands/acme.yaml": ACME})
    (tmp_path / "settings.yaml").write_text("version: 1\nprune: off\n", encoding="utf-8")
    (tmp_path / "repo" / "work" / "other").mkdir()
    monkeypatch.chdir(repo)
    assert _messages(["work/bytestack/brands"]) == []


@pytest.mark.parametrize(
    "other",
    [
        "codecov.yml",  # a tool's configuration, at the repository root
        "tools/lint.yaml",
    ],
)
def test_a_yaml_file_that_is_not_a_manifest_sets_no_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, other: str
) -> None:
    # Were codecov.yml's ignore: settings, the tree would be the repository, and its
    # unset test manifest would stop a plan of examples/minimal.yaml.
    repo = _tree(
        tmp_path,
        {
            other: "coverage:\n  precision: 2\nignore:\n  - tests\n",
            "examples/minimal.yaml": ACME,
            "tests/unset.yaml": UNSET,
        },
    )
    monkeypatch.chdir(repo)
    assert _messages(["examples/minimal.yaml"]) == []


def test_a_file_saying_version_1_is_a_settings_file_even_with_a_mistake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _tree(
        tmp_path,
        {
            "bytestack/settings.yaml": "version: 1\nprune: off\nsafty: {}\n",
            "bytestack/brands/acme.yaml": ACME,
        },
    )
    monkeypatch.chdir(repo)
    (warning,) = _messages(["bytestack/brands"])
    assert warning.startswith("bytestack/settings.yaml: warning: sets prune")


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (
            b"version: 1\nwebhooks:\n  - url: '${secret:ALERTS_HOOK}' # caf\xe9\n",
            "bytestack/latin1.yaml:3:39",
        ),
        ("version: 1\nwebhooks:\n  - url: '${secret:ALERTS_HOOK}'\n".encode("utf-16"), None),
    ],
    ids=["latin-1", "utf-16"],
)
def test_a_tree_file_that_is_not_utf8_and_keeps_a_secret_stops_the_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, where: str | None
) -> None:
    repo = _tree(
        tmp_path,
        {
            "bytestack/settings.yaml": "version: 1\nprune: off\n",
            "bytestack/latin1.yaml": content,
            "bytestack/brands/acme.yaml": ACME,
        },
    )
    monkeypatch.chdir(repo)
    collection = collect(["bytestack/brands"], environ={"ALERTS_HOOK": HOOK})
    (error,) = collection.errors
    assert str(error.location).startswith(where or "bytestack/latin1.yaml:1:")
    assert error.message == (
        "cannot be read (not valid UTF-8 text), and it uses ${secret:...}: this file is "
        "outside the paths given, but a plan of them could show the value it keeps secret "
        "and could not mask it"
    )


def test_with_no_settings_anywhere_the_manifests_around_the_selection_are_its_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # plan bytestack/brands deletes alerts (prune: delete): its secret must be masked,
    # and an unknowable one stops the plan, as a plan of bytestack would stop.
    repo = _tree(
        tmp_path,
        {"bytestack/alerts.yaml": ALERTS, "bytestack/brands/acme.yaml": ACME},
    )
    monkeypatch.chdir(repo)
    collection = collect(["bytestack/brands"], environ={"ALERTS_HOOK": HOOK})
    assert collection.problems == []
    assert HOOK in collection.desired.tree_secrets
    (error,) = collect(["bytestack/brands"], environ={}).errors
    assert str(error.location).startswith("bytestack/alerts.yaml:3:")
    assert "environment variable ALERTS_HOOK is not set; this file is outside" in error.message
