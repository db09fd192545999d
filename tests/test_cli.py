"""The thin command line: common options anywhere, exit codes, no tracebacks."""

from __future__ import annotations

import importlib.metadata
import logging
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest

from bytestack_sync import __version__, cli
from bytestack_sync.apply import apply_plan
from bytestack_sync.connect import connect
from bytestack_sync.constants import DEFAULT_PARALLELISM, FORMATS, MAX_PARALLELISM, MIN_PARALLELISM
from tests.fingerprints import shown_by


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert "bytestack-sync, version" in capsys.readouterr().out


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in ("validate", "plan", "apply", "export", "schema", "init", "emulator"):
        assert name in out


@pytest.fixture
def probe() -> Iterator[Callable[[list[str]], cli.Options]]:
    """A hidden subcommand that returns the parsed common options."""

    @cli.cli.command("probe-options", hidden=True)
    @cli.common_options
    def probe_options() -> cli.Options:
        return cli.options()

    def run(argv: list[str]) -> cli.Options:
        result = cli.cli.main(args=argv, standalone_mode=False)
        assert isinstance(result, cli.Options)
        return result

    yield run
    del cli.cli.commands["probe-options"]


@pytest.mark.parametrize(
    "argv",
    [
        ["--no-color", "-q", "--api-url", "local:x.db", "probe-options"],
        ["probe-options", "--no-color", "-q", "--api-url", "local:x.db"],
        ["--no-color", "probe-options", "-q", "--api-url", "local:x.db"],
    ],
)
def test_common_options_before_or_after_the_command(
    argv: list[str], probe: Callable[[list[str]], cli.Options]
) -> None:
    opts = probe(argv)
    assert opts.api_url == "local:x.db"
    assert opts.no_color is True
    assert opts.verbosity == -1


def test_later_option_wins(probe: Callable[[list[str]], cli.Options]) -> None:
    assert probe(["--api-url", "a", "probe-options", "--api-url", "b"]).api_url == "b"
    assert probe(["-v", "probe-options"]).verbosity == 1


@pytest.mark.parametrize(
    "argv", [["no-such-command"], ["plan"], ["plan", "x.yaml", "--format", "yaml"]]
)
def test_bad_usage_exits_1_without_traceback(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip()


def test_api_url_resolution_order(monkeypatch: pytest.MonkeyPatch) -> None:
    opts = cli.Options()
    assert cli.resolve_api_url(opts) == "https://api.bytestack.dev/v1"
    monkeypatch.setenv("BYTESTACK_API_URL", "local")
    assert cli.resolve_api_url(opts) == "local"
    opts.api_url = "local:other.db"
    assert cli.resolve_api_url(opts) == "local:other.db"


def test_colour_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    opts = cli.Options()
    assert cli.use_color(opts, Tty()) is True
    assert cli.use_color(opts, object()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert cli.use_color(opts, Tty()) is False
    monkeypatch.delenv("NO_COLOR")
    opts.no_color = True
    assert cli.use_color(opts, Tty()) is False


def test_version_has_one_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"bytestack-sync, version {__version__}\n"
    # pyproject.toml reads the same attribute: the installed metadata agrees.
    assert importlib.metadata.version("bytestack-sync") == __version__


def test_plan_formats_are_the_renderers() -> None:
    from bytestack_sync.render import FORMATS as RENDERED

    fmt = next(p for p in cli.plan.params if p.name == "fmt")
    assert isinstance(fmt.type, click.Choice)
    assert tuple(fmt.type.choices) == FORMATS == RENDERED
    assert fmt.default == "text"


def test_parallelism_bounds_and_default_have_one_source() -> None:
    option = next(p for p in cli.apply.params if p.name == "parallelism")
    assert isinstance(option.type, click.IntRange)
    assert (option.type.min, option.type.max) == (MIN_PARALLELISM, MAX_PARALLELISM)
    assert option.default == DEFAULT_PARALLELISM == apply_plan.__kwdefaults__["parallelism"]


def test_help_loads_neither_the_contract_nor_the_renderers() -> None:
    probe = (
        "import sys\n"
        "from bytestack_sync.cli import main\n"
        "assert main(['--help']) == 0\n"
        "heavy = {'bytestack_sync.contract', 'bytestack_sync.render', 'httpx', 'pydantic'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.splitlines()[-1] == "[]"


FIRST_KEY = "bs_first_run_canary_3f9d2a"
SECOND_KEY = "bs_second_run_canary_8c1e4b"


def _names_manifest(tmp_path: Path, *names: str) -> str:
    jobs = "".join(
        f'  - {{name: {name}, prompt: p, sources: [x], schedule: "@daily"}}\n' for name in names
    )
    path = tmp_path / "names.yaml"
    path.write_text(f"version: 1\njobs:\n{jobs}", encoding="utf-8")
    return str(path)


def test_two_runs_in_one_process_keep_their_secrets_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    local = f"local:{tmp_path / 's.db'}"
    manifest = _names_manifest(tmp_path, FIRST_KEY, SECOND_KEY)
    monkeypatch.setenv("BITKIT_API_KEY", FIRST_KEY)
    assert cli.main(["--api-url", local, "plan", manifest]) == 0
    first = capsys.readouterr()
    assert FIRST_KEY not in first.out + first.err
    assert shown_by(FIRST_KEY, FIRST_KEY) in first.out  # the job named like the key, scrubbed

    monkeypatch.setenv("BITKIT_API_KEY", SECOND_KEY)
    assert cli.main(["--api-url", local, "plan", manifest]) == 0
    second = capsys.readouterr()
    # The first run's key is an ordinary name to the second run; its own key is not.
    assert f'+ job "{FIRST_KEY}"' in second.out
    assert SECOND_KEY not in second.out + second.err
    assert shown_by(SECOND_KEY, SECOND_KEY) in second.out


def test_the_package_used_as_a_library_installs_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    before = (sys.stdout, sys.stderr, list(root.handlers), root.level)
    with connect(f"local:{tmp_path / 's.db'}", key=FIRST_KEY, debug=True) as client:
        client.jobs.list()
    assert (sys.stdout, sys.stderr, list(root.handlers), root.level) == before
    # Nor does it teach a later run a secret: the key is an ordinary name to it.
    assert cli.main(["validate", "-v", _names_manifest(tmp_path, FIRST_KEY)]) == 0
    assert f"job {FIRST_KEY!r}: @daily (x)" in capsys.readouterr().err
