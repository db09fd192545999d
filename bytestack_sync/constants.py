"""The tool's own settings that several layers share: output formats and parallelism.

They live on the lowest floor, free of imports, because the command line reads them
to build ``--help`` and must not load the renderers or the client for that. The
rules of the ByteStack API live in ``contract``; the exit codes in ``errors``.
"""

from __future__ import annotations

# Plan output formats, as ``--format`` offers them; the first is the default.
FORMATS = ("text", "json", "markdown")

# How many independent changes an apply runs at once (``--parallelism``). The
# client's connection pool is sized from the same number, so every worker has a
# connection of its own and none queues for one.
DEFAULT_PARALLELISM = 8
MIN_PARALLELISM = 1
MAX_PARALLELISM = 64

# The name every lock lease (a job an apply holds the workspace lock with) starts
# with. Nothing but the lock sees such a job, so a manifest may not declare one.
LEASE_PREFIX = "bytestack-sync-lock-"
# How long apply waits for another apply's lock by default (``--lock-timeout``):
# as Terraform's -lock-timeout, none: a locked workspace is refused at once.
DEFAULT_LOCK_TIMEOUT = "0s"
