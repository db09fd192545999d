"""Documents the YAML test suite says must fail: each gives clean ``file:line:col`` errors, exit 1.

PyYAML accepts a few of them; those must then fail the manifest schema instead.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bytestack_sync.cli import main

SUITE = Path(__file__).parent / "yaml_test_suite_errors"
DOCUMENTS = sorted(p.name for p in SUITE.glob("*.yaml"))


def test_the_suite_is_complete() -> None:
    assert len(DOCUMENTS) == 94
    assert (SUITE / "LICENSE").is_file()


@pytest.mark.parametrize("name", DOCUMENTS)
def test_malformed_yaml_gives_located_errors(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(SUITE)
    code = main(["validate", name])
    captured = capsys.readouterr()
    assert code == 1
    lines = captured.err.splitlines()
    assert lines
    located = re.compile(rf"^{re.escape(name)}:[1-9][0-9]*:[1-9][0-9]*: \S")
    assert all(located.match(line) for line in lines), lines
    assert "Traceback" not in captured.err + captured.out
    assert captured.out.splitlines()[-1].startswith("1 file, ")


@pytest.mark.parametrize("name", ["2CMS.yaml", "SF5V.yaml", "Y79Y-000.yaml"])
def test_malformed_yaml_through_the_installed_entry_point(name: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bytestack_sync", "validate", name],
        cwd=SUITE,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert re.match(rf"^{re.escape(name)}:\d+:\d+: invalid YAML: ", result.stderr)
    assert "Traceback" not in result.stderr
