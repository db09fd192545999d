"""The command line: parse, call one function per command, return its exit code.

No logic lives here. Heavy modules are imported inside the commands so that
``--help`` and ``--version`` stay fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

F = TypeVar("F", bound=Callable[..., Any])

VERSION = "0.1.0"


class Options:
    """The common options; accepted before or after the command name (last one wins).

    A plain class rather than a dataclass: importing dataclasses costs start-up time.
    """

    def __init__(self) -> None:
        self.api_url: str | None = None
        self.debug = False
        self.no_color = False
        self.verbosity = 0  # -1 quiet, 0 normal, 1 verbose


def _set(field: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        options = ctx.ensure_object(Options)
        if field == "verbosity":
            if value:
                options.verbosity = value
        elif value not in (None, False):
            setattr(options, field, value)
        return value

    return callback


def common_options(func: F) -> F:
    decorators = [
        click.option(
            "--api-url",
            expose_value=False,
            callback=_set("api_url"),
            help="API base URL, or 'local' / 'local:PATH' for the embedded emulator "
            "[env BYTESTACK_API_URL].",
        ),
        click.option(
            "--debug",
            is_flag=True,
            expose_value=False,
            callback=_set("debug"),
            help="Show tracebacks and the HTTP exchange (the key redacted).",
        ),
        click.option(
            "--no-color",
            is_flag=True,
            expose_value=False,
            callback=_set("no_color"),
            help="Never colour the output (also: NO_COLOR).",
        ),
        click.option(
            "-q",
            "--quiet",
            "verbosity",
            flag_value=-1,
            expose_value=False,
            callback=_set("verbosity"),
            help="Print only errors and the requested output.",
        ),
        click.option(
            "-v",
            "--verbose",
            "verbosity",
            flag_value=1,
            expose_value=False,
            callback=_set("verbosity"),
            help="Print more detail.",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def options() -> Options:
    return click.get_current_context().ensure_object(Options)


def resolve_api_url(opts: Options) -> str:
    from bytestack_sync import contract

    return opts.api_url or os.environ.get(contract.API_URL_ENV) or contract.DEFAULT_API_URL


def use_color(opts: Options, stream: Any) -> bool:
    if opts.no_color or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, prog_name="bytestack-sync")
@common_options
def cli() -> None:
    """Declarative job sync for ByteStack: validate, plan and apply YAML manifests."""


PATHS = click.argument("paths", nargs=-1, type=click.Path(), required=True)


@cli.command()
@PATHS
@click.option(
    "--allow-missing-env",
    is_flag=True,
    help="Report unset variables as warnings, not errors (for laptops and pre-commit).",
)
@common_options
def validate(paths: tuple[str, ...], allow_missing_env: bool) -> int:
    """Check manifests offline: YAML, schema, values, schedules, variables."""
    from bytestack_sync.commands import validate as command

    return command.run(
        paths,
        out=sys.stdout,
        err=sys.stderr,
        github=os.environ.get("GITHUB_ACTIONS") == "true",
        verbosity=options().verbosity,
        allow_missing_env=allow_missing_env,
    )


@cli.command()
@common_options
def schema() -> int:
    """Print the manifest JSON Schema."""
    from bytestack_sync.commands import schema as command

    return command.run(out=sys.stdout)


def _complete_targets(
    ctx: click.Context, _param: click.Parameter, incomplete: str
) -> list[CompletionItem]:

    from bytestack_sync.commands.completion import target_candidates

    # During completion click leaves positional arguments unparsed in ctx.args.
    paths = ctx.params.get("paths") or tuple(a for a in ctx.args if not a.startswith("-"))
    return [click.shell_completion.CompletionItem(c) for c in target_candidates(paths, incomplete)]


TARGET = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="job:NAME|webhook:URL",
    shell_complete=_complete_targets,
    help="Limit to these resources (globs allowed, repeatable).",
)
FORCE = click.option(
    "--force",
    is_flag=True,
    help="Allow an empty manifest set and apply past the destroy guard.",
)


@cli.command()
@PATHS
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help="Save the plan here.")
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there is nothing to do, 2 otherwise.",
)
@TARGET
@FORCE
@common_options
def plan(
    paths: tuple[str, ...],
    fmt: str,
    out_file: str | None,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    force: bool,
) -> int:
    """Show what apply would change in the live workspace."""
    from bytestack_sync.commands import plan as command

    opts = options()
    return command.run(
        paths,
        api_url=resolve_api_url(opts),
        fmt=fmt,
        out_file=out_file,
        detailed_exitcode=detailed_exitcode,
        targets=targets,
        force=force,
        out=sys.stdout,
        err=sys.stderr,
        color=use_color(opts, sys.stdout),
        verbosity=opts.verbosity,
    )


@cli.command()
@PATHS
@click.option("--auto-approve", is_flag=True, help="Apply without asking.")
@click.option(
    "--parallelism",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="How many independent changes run at once.",
)
@TARGET
@FORCE
@common_options
def apply(
    paths: tuple[str, ...],
    auto_approve: bool,
    parallelism: int,
    targets: tuple[str, ...],
    force: bool,
) -> int:
    """Reconcile the live workspace with manifests, or execute a saved plan file."""
    from bytestack_sync.commands import apply as command

    opts = options()
    return command.run(
        paths,
        api_url=resolve_api_url(opts),
        auto_approve=auto_approve,
        parallelism=parallelism,
        targets=targets,
        force=force,
        out=sys.stdout,
        err=sys.stderr,
        color=use_color(opts, sys.stdout),
        interactive=sys.stdin.isatty() and sys.stderr.isatty(),
        verbosity=opts.verbosity,
    )


@cli.command()
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help="Write here, not stdout.")
@common_options
def export(out_file: str | None) -> int:
    """Write the live workspace as a manifest."""
    from bytestack_sync.commands import export as command

    opts = options()
    return command.run(api_url=resolve_api_url(opts), out_file=out_file, out=sys.stdout)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False), default=".")
@common_options
def init(directory: str) -> int:
    """Write a commented starter manifest into DIRECTORY."""
    from bytestack_sync.commands import init as command

    return command.run(directory, out=sys.stdout, verbosity=options().verbosity)


@cli.group()
@common_options
def emulator() -> None:
    """The local ByteStack API emulator."""


@emulator.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8787,
    show_default=True,
    help="0 picks a free port.",
)
@click.option(
    "--state", type=click.Path(dir_okay=False), help="SQLite file (in memory if omitted)."
)
@click.option(
    "--key",
    "keys",
    multiple=True,
    metavar="KEY:WORKSPACE[:ro|:unpaid]",
    help="Accept only these keys (repeatable); ':ro' keys cannot write, ':unpaid' keys get 402.",
)
@click.option(
    "--rate-limit",
    type=click.FloatRange(min=0),
    default=0.0,
    help="Requests per second per key (0: none).",
)
@click.option(
    "--latency",
    type=click.FloatRange(min=0),
    default=0.0,
    help="Milliseconds added to every request.",
)
@click.option(
    "--fail-rate", type=click.FloatRange(0, 1), default=0.0, help="Fraction answered 500."
)
@click.option(
    "--drop-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Fraction of writes committed, then the connection dropped.",
)
@click.option("--seed", type=int, default=None, help="Make faults reproducible.")
@click.option("--page-size", type=click.IntRange(1, 1000), default=None, help="Cap on page size.")
@click.option(
    "--query-delay",
    type=click.FloatRange(0),
    default=None,
    help="Seconds a submitted query takes to complete [default: 0.5].",
)
@common_options
def serve(
    host: str,
    port: int,
    state: str | None,
    keys: tuple[str, ...],
    rate_limit: float,
    latency: float,
    fail_rate: float,
    drop_rate: float,
    seed: int | None,
    page_size: int | None,
    query_delay: float | None,
) -> int:
    """Serve the emulator over HTTP until interrupted."""
    from bytestack_sync.commands import emulator as command

    return command.serve(
        host=host,
        port=port,
        state=state,
        keys=keys,
        rate_limit=rate_limit,
        latency_ms=latency,
        fail_rate=fail_rate,
        drop_rate=drop_rate,
        seed=seed,
        page_size=page_size,
        out=sys.stdout,
        query_delay=query_delay,
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the command under the one error handler, return the exit code."""
    from bytestack_sync.error_handler import run_cli

    return run_cli(cli, argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
