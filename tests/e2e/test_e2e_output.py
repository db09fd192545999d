"""Small things a reader of the output notices: quiet output, empty saved plans, help."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bytestack_sync.errors import EXIT_OK
from tests.e2e.conftest import API_KEY


def test_quiet_apply_prints_only_the_summary(
    served: Any, cli: Any, write: Any, job: Any, manifest: Any
) -> None:
    path = write(manifest([job("quiet")]))
    result = cli("-q", "apply", path, "--api-url", served.api_url, "--auto-approve")
    assert result.code == EXIT_OK, result.out + result.err
    assert result.out == (
        "Apply complete: 1 created, 0 updated, 0 replaced, 0 deleted, 0 failed.\n"
    )
    assert result.err == ""


def test_an_empty_saved_plan_does_not_suggest_applying_it(
    served: Any, cli: Any, write: Any, job: Any, manifest: Any, tmp_path: Path
) -> None:
    path = write(manifest([job("same")]))
    assert cli("apply", path, "--api-url", served.api_url, "--auto-approve").code == EXIT_OK
    saved = tmp_path / "empty.plan"
    result = cli("plan", path, "--api-url", served.api_url, "--out", saved)
    assert result.code == EXIT_OK, result.err
    assert result.err == f"Saved the plan to {saved}; it has no changes to apply.\n"
    changed = tmp_path / "changed.plan"
    write(manifest([job("same"), job("new")]))
    result = cli("plan", path, "--api-url", served.api_url, "--out", changed)
    assert f"run `bytestack-sync apply {changed}`" in result.err


def test_the_force_help_of_plan_says_what_it_does_for_plan(cli: Any) -> None:
    planned = " ".join(cli("plan", "--help").out.split())
    assert "--force Plan even when the paths declare nothing: the plan then deletes" in planned
    assert "destroy guard" not in planned
    applied = " ".join(cli("apply", "--help").out.split())
    assert "apply past the destroy guard" in applied


@pytest.mark.parametrize(
    ("key", "missing", "expected"),
    [
        (
            "such",
            "no/such/x.yaml",
            "error: BITKIT_API_KEY is 4 characters long: too short to be told from ordinary "
            "words in the output (at least 8); set the real key, or unset it",
        ),
        # Hidden where it is a whole token, never inside a longer word, with one warning.
        ("such-key", "no-such-keys/such-key/x.yaml", "warning: BITKIT_API_KEY is shorter than 12"),
    ],
)
def test_a_key_too_short_to_tell_from_words_is_refused_or_warned_about_at_start(
    cli: Any, monkeypatch: Any, tmp_path: Path, key: str, missing: str, expected: str
) -> None:
    monkeypatch.setenv("BITKIT_API_KEY", key)
    result = cli("validate", tmp_path / missing)
    shown = result.out + result.err
    assert result.code == 1
    assert result.err.count(expected) == 1 and result.err.startswith(expected), shown
    assert f"/{key}/" not in shown
    if key == "such-key":
        assert "/no-such-keys/(sensitive, hmac:" in shown
        assert "no such file or directory" in shown


def test_a_total_failure_says_so_and_gives_the_cause_once(
    emulator: Any, cli: Any, write: Any, job: Any, manifest: Any
) -> None:
    served = emulator(keys=["bs_e2e_workspace_key:team:ro"])  # a read-only key
    path = write(manifest([job(f"ro-{i}") for i in range(6)]))
    locked = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
    assert locked.code == 1, locked.out + locked.err
    assert locked.err == (
        "error: could not take the workspace lock: the API key may not create jobs (403)\n"
    )
    # Without the lock, each change is tried, and the report gives the cause once.
    result = cli("apply", path, "--api-url", served.api_url, "--auto-approve", "--no-lock")
    assert result.code == 3, result.out + result.err
    assert "Every change failed (6, all with 403): the API key may not create jobs (403)\n" in (
        result.out
    )
    assert "A rerun cannot fix this" in result.out
    assert result.out.count("may not create jobs") == 1  # the cause once, not six times
    assert served.jobs() == {}


def test_a_total_failure_of_creates_and_updates_names_both_causes(
    emulator: Any, cli: Any, write: Any, job: Any, manifest: Any, monkeypatch: Any
) -> None:
    served = emulator(keys=[f"{API_KEY}:team", "bs_e2e_read_only_key:team:ro"])
    path = write(manifest([job("kept", schedule="0 8 * * *")]))
    made = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
    assert made.code == 0, made.err
    write(manifest([job("kept", schedule="0 9 * * *"), job("new one")]))
    monkeypatch.setenv("BITKIT_API_KEY", "bs_e2e_read_only_key")
    result = cli("apply", path, "--api-url", served.api_url, "--auto-approve", "--no-lock")
    assert result.code == 3, result.out + result.err
    assert (
        "Every change failed (2, all with 403): the API key may not create jobs (403); "
        "the API key may not update jobs (403)\n"
    ) in result.out, result.out
