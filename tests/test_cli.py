"""The thin command line: common options anywhere, exit codes, no tracebacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bytestack_sync import cli


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
