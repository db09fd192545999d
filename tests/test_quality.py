"""The package stays mypy --strict and ruff clean: the checks run with the tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_mypy_strict_is_clean() -> None:
    result = _run("mypy", "--no-error-summary", "bytestack_sync")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean() -> None:
    result = _run("ruff", "check", "bytestack_sync", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def _copy_of_the_package(tmp_path: Path) -> Path:
    """The package and its configuration in a scratch directory, to break on purpose."""
    shutil.copytree(ROOT / "bytestack_sync", tmp_path / "bytestack_sync")
    shutil.copytree(ROOT / "benchmarks", tmp_path / "benchmarks")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copy(ROOT / "vulture_whitelist.py", tmp_path / "vulture_whitelist.py")
    return tmp_path


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    # The copy named on the path comes before the installed package.
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    script = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(script), "--no-cache"], cwd=cwd, capture_output=True, text=True, env=env, check=False
    )


_CONTRACTS = (
    "floors",
    "only commands read manifests",
    "the emulator shares only",
    "only the CLI knows click",
    "plans, renderers",
    "no import cycles",
)


def _broken(report: str) -> list[str]:
    """The contracts a lint-imports report calls broken, by the start of their name."""
    broken = [line for line in report.splitlines() if line.endswith(" BROKEN")]
    return [name for name in _CONTRACTS if any(line.startswith(name) for line in broken)]


def test_the_layers_hold() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("contract.py", "import bytestack_sync.cli", "floors"),
        ("plan/planner.py", "import bytestack_sync.manifest", "only commands read manifests"),
        ("emulator/ids.py", "import bytestack_sync.model", "the emulator shares only"),
        ("render/text.py", "import click", "only the CLI knows click"),
        ("cron/fields.py", "import bytestack_sync.cli", "floors"),
    ],
)
def test_a_crossed_layer_fails_the_check(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    copy = _copy_of_the_package(tmp_path)
    target = copy / "bytestack_sync" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", "utf-8")
    result = _lint_imports(copy)
    assert result.returncode != 0
    assert broken in _broken(result.stdout)


def test_an_import_cycle_fails_the_check(tmp_path: Path) -> None:
    copy = _copy_of_the_package(tmp_path)
    (copy / "bytestack_sync" / "ring_a.py").write_text("import bytestack_sync.ring_b\n", "utf-8")
    (copy / "bytestack_sync" / "ring_b.py").write_text("import bytestack_sync.ring_a\n", "utf-8")
    result = _lint_imports(copy)
    assert result.returncode != 0
    assert "no import cycles" in _broken(result.stdout)


def _vulture(cwd: Path) -> subprocess.CompletedProcess[str]:
    # Paths, confidence and the whitelist come from pyproject.toml's [tool.vulture].
    return subprocess.run(
        [sys.executable, "-m", "vulture"], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_no_dead_code() -> None:
    result = _vulture(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dead_code_fails_the_check(tmp_path: Path) -> None:
    copy = _copy_of_the_package(tmp_path)
    target = copy / "bytestack_sync" / "plan" / "planner.py"
    dead = "\n\ndef _nobody_calls_this(value: int) -> int:\n    return value + 1\n"
    lines = len(target.read_text(encoding="utf-8").splitlines())
    assert _vulture(copy).returncode == 0  # the copy itself is clean
    target.write_text(target.read_text(encoding="utf-8") + dead, "utf-8")
    result = _vulture(copy)
    assert result.returncode != 0
    assert result.stdout.splitlines() == [
        f"bytestack_sync/plan/planner.py:{lines + 3}: unused function '_nobody_calls_this'"
        " (60% confidence)"
    ]
