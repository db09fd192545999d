"""``bytestack_sync.files``: only regular files are read, and never more than a cap."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bytestack_sync.files import MIB, NotReadable, link_leaves, read_regular, write_text_atomic
from tests.children import run_python

FIFO = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")

_READ = """
import sys
from bytestack_sync.files import NotReadable, read_regular
try:
    read_regular(sys.argv[1], 8 << 20)
except NotReadable as exc:
    print(exc)
else:
    print("read")
"""


def read_in_child(path: Path) -> str:
    done = run_python(_READ, str(path))
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_regular_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"version: 1\n")
    assert read_regular(tmp_path / "a.yaml", 100) == b"version: 1\n"


@FIFO
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    assert read_in_child(tmp_path / "pipe.yaml") == "it is a FIFO, not a regular file"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_a_link_to_an_endless_device_is_refused_before_reading(tmp_path: Path) -> None:
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    assert read_in_child(tmp_path / "zero.yaml") == "it is a character device, not a regular file"


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotReadable, match=r"^it is a directory, not a regular file$"):
        read_regular(tmp_path, 100)


def test_a_file_past_the_cap_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:
        handle.truncate(8 * MIB + 1)  # sparse: nothing to write, and nothing is read
    with pytest.raises(NotReadable, match=r"^it is larger than 8 MiB, the limit$"):
        read_regular(big, 8 * MIB)
    assert read_regular(big, 9 * MIB)[:1] == b"\0"


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(NotReadable, match="No such file or directory"):
        read_regular(tmp_path / "absent.yaml", 100)


def test_links_that_leave_a_directory(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "real.yaml").write_text("a: 1\n")
    (tmp_path / "outside.yaml").write_text("a: 1\n")
    (tree / "in.yaml").symlink_to(tree / "sub" / "real.yaml")
    (tree / "out.yaml").symlink_to(tmp_path / "outside.yaml")
    (tree / "up.yaml").symlink_to("../tree/sub/real.yaml")
    assert not link_leaves(str(tree / "sub" / "real.yaml"), str(tree))
    assert not link_leaves(str(tree / "in.yaml"), str(tree))
    assert not link_leaves(str(tree / "up.yaml"), str(tree))
    assert link_leaves(str(tree / "out.yaml"), str(tree))
    assert not link_leaves(str(tree / "out.yaml"), str(tmp_path))


def test_a_write_replaces_a_regular_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("old")
    write_text_atomic(target, "new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]


def test_a_write_through_a_link_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    write_text_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


@FIFO
def test_a_write_never_replaces_a_fifo_or_device(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target in (fifo, Path(os.devnull)):
        with pytest.raises(OSError) as caught:
            write_text_atomic(target, "x")
        assert caught.value.filename == str(target)
        assert "not a regular file" in str(caught.value.strerror)
    assert Path(os.devnull).is_char_device()
    assert fifo.is_fifo()


def test_a_failed_write_names_the_path_given_not_a_temporary(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    target = tmp_path / "afile" / "plan.json"
    with pytest.raises(NotADirectoryError) as caught:
        write_text_atomic(target, "x")
    assert caught.value.filename == str(target)
    with pytest.raises(OSError, match="empty path"):
        write_text_atomic("", "x")
