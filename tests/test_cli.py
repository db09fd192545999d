"""The thin command line: common options anywhere, exit codes, no tracebacks."""

from __future__ import annotations

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


@pytest.mark.parametrize(
    "argv",
    [
        ["--no-color", "-q", "--api-url", "local:x.db", "schema"],
        ["schema", "--no-color", "-q", "--api-url", "local:x.db"],
    ],
)
def test_common_options_before_or_after_the_command(argv: list[str]) -> None:
    position = argv.index("schema")
    with cli.cli.make_context("bytestack-sync", argv[:position]) as ctx:
        cmd = cli.cli.get_command(ctx, "schema")
        assert cmd is not None
        cmd.make_context("schema", argv[position + 1 :], parent=ctx)
        opts = ctx.ensure_object(cli.Options)
    assert opts.api_url == "local:x.db"
    assert opts.no_color is True
    assert opts.verbosity == -1


def test_later_option_wins() -> None:
    with cli.cli.make_context("bytestack-sync", ["--api-url", "a"]) as ctx:
        cmd = cli.cli.get_command(ctx, "schema")
        assert cmd is not None
        cmd.make_context("schema", ["--api-url", "b"], parent=ctx)
        assert ctx.ensure_object(cli.Options).api_url == "b"


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
