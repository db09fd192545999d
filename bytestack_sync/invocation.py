"""One run of the command line: its options, its redactor, and the options every command takes.

``main`` makes one ``Options`` per run and hands it to click as the context
object; parsing fills it in, the commands read it and pass its parts down
explicitly, and it is dropped when the run ends, so no run sees another's secrets.
The common options are accepted before or after the command name (last one wins).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar, cast

import click

from bytestack_sync.secrets import Redactor

F = TypeVar("F", bound=Callable[..., Any])


class Options:
    """One invocation: the common options, accepted before or after the command name
    (last one wins), and the redactor every stream of the run scrubs with.

    A plain class rather than a dataclass: importing dataclasses costs start-up time.
    """

    def __init__(self) -> None:
        self.api_url: str | None = None
        self.debug = False
        self.no_color = False
        self.verbosity = 0  # -1 quiet, 0 normal, 1 verbose
        self.redactor = Redactor()


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


def _debug_scope(func: F) -> F:
    """Run the command body with ``--debug``'s (or ``-v``'s) log handler installed, and
    removed after.

    Here rather than in the option's callback: a callback runs while parsing, and a
    parse that then fails would never remove what it installed.
    """

    @functools.wraps(func)
    def scoped(*args: Any, **kwargs: Any) -> Any:
        opts = options()
        if opts.debug:
            from bytestack_sync.error_handler import debug_logging

            with debug_logging(sys.stderr):  # which shows the retries too
                return func(*args, **kwargs)
        if opts.verbosity > 0:
            from bytestack_sync.error_handler import verbose_logging

            with verbose_logging(sys.stderr):
                return func(*args, **kwargs)
        return func(*args, **kwargs)

    return cast(F, scoped)


def common_options(func: F) -> F:
    func = _debug_scope(func)
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
    """The run's API URL; the password in it is a secret of the run from here on."""
    from bytestack_sync import contract
    from bytestack_sync.secrets import url_secrets

    url = opts.api_url or os.environ.get(contract.API_URL_ENV) or contract.DEFAULT_API_URL
    opts.redactor.add(*url_secrets(url))
    return url


def use_color(opts: Options, stream: Any) -> bool:
    if opts.no_color or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class RootGroup(click.Group):
    """The top-level group: adds the API key from the environment to the run's redactor."""

    def invoke(self, ctx: click.Context) -> Any:
        # Before a subcommand is even looked up, so no message of this run (an unknown
        # command name echoed back included) can show the key. Not earlier: ``--help``
        # would then load the contract just to read one name.
        from bytestack_sync import contract

        key = os.environ.get(contract.API_KEY_ENV)
        if key:
            check_key_length(key)
            ctx.ensure_object(Options).redactor.add(key)
        return super().invoke(ctx)


# A key shorter than this is no ByteStack key, and it cannot be told from ordinary
# words ("such" would hide every "No such file"): it is refused before anything runs.
MIN_KEY_LENGTH = 8


def check_key_length(key: str) -> None:
    """Refuse a key too short to redact safely; warn of one redacted only as a word."""
    from bytestack_sync import contract
    from bytestack_sync.errors import UsageError
    from bytestack_sync.secrets import MIN_ANYWHERE_LENGTH, is_short_secret

    if len(key) < MIN_KEY_LENGTH:
        raise UsageError(
            f"{contract.API_KEY_ENV} is {len(key)} characters long: too short to be told "
            f"from ordinary words in the output (at least {MIN_KEY_LENGTH}); "
            "set the real key, or unset it"
        )
    if is_short_secret(key):
        sys.stderr.write(
            f"warning: {contract.API_KEY_ENV} is shorter than {MIN_ANYWHERE_LENGTH} "
            "characters: it is hidden only where it stands as a whole word\n"
        )
