"""Reading and writing the tool's own files: manifests, settings and saved plans.

Every such file is read by ``read_regular``: a regular file only, never a FIFO, a
device or a socket (so nothing blocks and nothing endless is read), and never more
than a cap. Writes go through a temporary file, so a reader, or an interrupted run,
never sees half of one.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

MIB = 1024 * 1024
# Opening for reading must not wait (a FIFO with no writer) nor take a terminal.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class NotReadable(Exception):
    """Why a file was not read, said without its path: the caller names the file."""


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the regular file at ``path`` (a symlink is followed), at most
    ``limit`` of them; ``NotReadable`` for anything else, before reading any of it."""
    try:
        _check_regular(os.stat(path), limit)
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise NotReadable(exc.strerror or str(exc)) from None
    try:
        _check_regular(os.fstat(fd), limit)  # the file opened, whatever the name holds now
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise NotReadable(exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew while being read
        raise NotReadable(_too_large(limit))
    return data


def _check_regular(info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
        raise NotReadable(f"it is {kind}, not a regular file")
    if info.st_size > limit:
        raise NotReadable(_too_large(limit))


def _too_large(limit: int) -> str:
    size = f"{limit // MIB} MiB" if limit % MIB == 0 else f"{limit} bytes"
    return f"it is larger than {size}, the limit"


def link_leaves(path: str, root: str) -> bool:
    """Whether ``path`` is a symbolic link whose target lies outside the directory
    ``root`` (both resolved): such a link is not followed."""
    if not os.path.islink(path):
        return False
    real, top = os.path.realpath(path), os.path.realpath(root)
    return os.path.commonpath([real, top]) != top


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write via a temporary file in the same directory, so readers never see half a file.

    A symbolic link is written through (the file it points at is replaced, the link
    kept). Anything else that exists and is not a regular file (a directory, FIFO or
    device) is refused, not replaced. An error names ``path``, never the temporary file.
    """
    shown = os.fspath(path)
    if not shown:
        raise OSError(errno.EINVAL, "an empty path names no file to write")
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, shown) from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise OSError(
            errno.EEXIST, "exists and is not a regular file, so it is not replaced", shown
        )
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, shown) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, shown) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
