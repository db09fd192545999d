"""The library API: the README's program runs as written, and the package stays light."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import bytestack_sync

ROOT = Path(__file__).resolve().parents[1]


def _readme_program() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using it as a library", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found is not None, "the README's library section has no python block"
    return found.group(1)


def test_the_readme_program_plans_applies_and_converges(tmp_path: Path) -> None:
    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "minimal.yaml", tmp_path / "examples" / "minimal.yaml")
    run = [sys.executable, "-c", _readme_program()]
    first = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "create job:Daily Acme mentions",
        "create job:Weekly competitor roundup",
        "converged: True",
    ]
    # The state is kept: the second run has nothing to do.
    second = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines() == ["converged: True"]


def test_importing_the_package_loads_nothing_else() -> None:
    probe = (
        "import sys, bytestack_sync\n"
        "print(sorted(m for m in sys.modules if m.startswith('bytestack_sync.')))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_every_exported_name_resolves() -> None:
    assert set(bytestack_sync.__all__) == {"__version__", *bytestack_sync._HOMES}
    for name in bytestack_sync.__all__:
        assert getattr(bytestack_sync, name) is not None, name
    assert set(dir(bytestack_sync)) >= set(bytestack_sync.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        bytestack_sync.no_such_thing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("an unknown name resolved")


def test_a_type_checker_reads_the_api_and_catches_a_misspelt_name(tmp_path: Path) -> None:
    script = tmp_path / "user.py"
    script.write_text(
        "import bytestack_sync as bs\n"
        "plan: bs.Plan = bs.make_plan(bs.DesiredState(), [], [])\n"
        "bs.make_plna\n",
        encoding="utf-8",
    )
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--no-error-summary", str(script)],
        cwd=tmp_path, capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and 'no attribute "make_plna"' in errors[0], done.stdout


def test_a_loaded_manifests_repr_holds_no_secret(tmp_path: Path) -> None:
    secret = "https://hooks.example.com/library-canary-93c1"
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "version: 1\njobs:\n  - {name: a, prompt: Hi?, sources: [x], schedule: '@daily',"
        " webhook_url: '${secret:HOOK}'}\n",
        encoding="utf-8",
    )
    loaded = bytestack_sync.load_manifests([str(manifest)], environ={"HOOK": secret})
    assert secret in loaded.desired.sensitive_values
    assert secret not in repr(loaded) and secret not in repr(loaded.desired)
