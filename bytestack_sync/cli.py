"""The command line: parse, call one function per command, return its exit code.

No logic lives here. Heavy modules are imported inside the commands so that
``--help`` and ``--version`` stay fast. A run's state (its options, its redactor)
is one ``Options`` (``bytestack_sync.invocation``) that ``main`` makes and the
commands hand down; nothing is kept between runs.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from bytestack_sync import __version__
from bytestack_sync.constants import (
    DEFAULT_LOCK_TIMEOUT,
    DEFAULT_PARALLELISM,
    FORMATS,
    MAX_PARALLELISM,
    MIN_PARALLELISM,
)
from bytestack_sync.invocation import (
    Options,
    RootGroup,
    common_options,
    options,
    resolve_api_url,
    use_color,
)

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem


@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bytestack-sync")
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

    opts = options()
    return command.run(
        paths,
        out=sys.stdout,
        err=sys.stderr,
        github=os.environ.get("GITHUB_ACTIONS") == "true",
        verbosity=opts.verbosity,
        allow_missing_env=allow_missing_env,
        redactor=opts.redactor,
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
FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=FORMATS[0],
    show_default=True,
    help="Output format.",
)
FORCE = click.option(
    "--force",
    is_flag=True,
    help="Allow an empty manifest set and apply past the destroy guard.",
)
PLAN_FORCE = click.option(
    "--force",
    is_flag=True,
    help="Plan even when the paths declare nothing: the plan then deletes every "
    "managed live resource.",
)


@cli.command()
@PATHS
@FORMAT
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help="Save the plan here.")
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there is nothing to do, 2 otherwise.",
)
@TARGET
@PLAN_FORCE
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
        redactor=opts.redactor,
        debug=opts.debug,
    )


@cli.command()
@PATHS
@click.option("--auto-approve", is_flag=True, help="Apply without asking.")
@click.option(
    "--parallelism",
    type=click.IntRange(MIN_PARALLELISM, MAX_PARALLELISM),
    default=DEFAULT_PARALLELISM,
    show_default=True,
    help="How many independent changes run at once.",
)
@TARGET
@FORCE
@click.option(
    "--lock-timeout",
    default=DEFAULT_LOCK_TIMEOUT,
    show_default=True,
    metavar="DURATION",
    help="How long to wait for another apply's lock on the workspace (e.g. 30s, 5m).",
)
@click.option(
    "--no-lock",
    is_flag=True,
    help="Take no lock (when applies are serialised elsewhere).",
)
@common_options
def apply(
    paths: tuple[str, ...],
    auto_approve: bool,
    parallelism: int,
    targets: tuple[str, ...],
    force: bool,
    lock_timeout: str,
    no_lock: bool,
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
        # Someone at a keyboard: the question itself goes to the terminal, so a piped
        # stdout or stderr (`apply | tee log`) does not hide it.
        interactive=sys.stdin.isatty(),
        verbosity=opts.verbosity,
        redactor=opts.redactor,
        debug=opts.debug,
        lock_timeout=lock_timeout,
        no_lock=no_lock,
    )


@cli.command()
@click.argument("planfile", type=click.Path(dir_okay=False))
@FORMAT
@common_options
def show(planfile: str, fmt: str) -> int:
    """Show a saved plan file (offline); checks its signature when a key is set."""
    from bytestack_sync.commands import show as command

    opts = options()
    return command.run(
        planfile,
        fmt=fmt,
        out=sys.stdout,
        err=sys.stderr,
        color=use_color(opts, sys.stdout),
        verbosity=opts.verbosity,
    )


@cli.command()
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help="Write here, not stdout.")
@common_options
def export(out_file: str | None) -> int:
    """Write the live workspace as a manifest."""
    from bytestack_sync.commands import export as command

    opts = options()
    return command.run(
        api_url=resolve_api_url(opts),
        out_file=out_file,
        out=sys.stdout,
        redactor=opts.redactor,
        debug=opts.debug,
    )


@cli.command("force-unlock")
@click.argument("lease_id")
@common_options
def force_unlock(lease_id: str) -> int:
    """Remove the workspace lock's lease LEASE_ID, left by an apply that died."""
    from bytestack_sync.commands import unlock as command

    opts = options()
    return command.run(
        lease_id,
        api_url=resolve_api_url(opts),
        out=sys.stdout,
        redactor=opts.redactor,
        debug=opts.debug,
    )


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
@click.option(
    "--commit-delay",
    type=click.FloatRange(0),
    default=0.0,
    help="Seconds every create is held before it is stored (a slow commit).",
)
@click.option(
    "--ignore-idempotency-keys",
    is_flag=True,
    help="Create again on a repeated Idempotency-Key, as an API that ignores it would.",
)
@click.option(
    "--clock",
    type=click.Choice(["real", "manual"]),
    default=None,
    help="real: wall time (advances add to it); manual: moves only when advanced "
    "[default: the state file's, or real].",
)
@click.option("--start", metavar="ISO", help="Where a manual clock starts [default: now].")
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
    commit_delay: float,
    ignore_idempotency_keys: bool,
    clock: str | None,
    start: str | None,
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
        commit_delay=commit_delay,
        idempotency_keys=not ignore_idempotency_keys,
        redactor=options().redactor,
        clock="manual" if clock == "manual" else "real" if clock == "real" else None,
        start=start,
    )


@emulator.command()
@click.argument("duration")
@click.option(
    "--state",
    type=click.Path(dir_okay=False),
    help="The local emulator's state file, as --api-url local:PATH names it "
    "[default: .bytestack/local.sqlite3].",
)
@common_options
def advance(duration: str, state: str | None) -> int:
    """Move a local workspace's time forward by DURATION (90m, 1h, 1d, PT1H30M),
    firing every job run that falls due."""
    from bytestack_sync.commands import emulator as command

    return command.advance(state=state, duration=duration, out=sys.stdout)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run one invocation under the one error handler, return its exit code."""
    from bytestack_sync.error_handler import run_cli

    return run_cli(cli, argv, Options())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
