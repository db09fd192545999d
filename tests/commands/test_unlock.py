"""`bytestack-sync force-unlock LEASE_ID`: the lease of an apply that died is removed,
and nothing that is not a lease can be removed with it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bytestack_sync import cli
from bytestack_sync.apply.lock import WorkspaceLock
from bytestack_sync.connect import connect
from bytestack_sync.errors import EXIT_ERROR, EXIT_OK, EXIT_REFUSED
from bytestack_sync.plan.leases import is_lease_name

MANIFEST = """\
version: 1
jobs:
  - name: Daily mentions
    prompt: How many times was Acme mentioned today?
    sources: [reddit]
    schedule: "0 8 * * *"
"""


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BITKIT_API_KEY", raising=False)
    (tmp_path / "jobs.yaml").write_text(MANIFEST, encoding="utf-8")
    return tmp_path


def abandoned_lease() -> str:
    """A lock taken and never released, as by an apply killed with -9."""
    with connect("local") as client:
        lock = WorkspaceLock(client, timeout=0, err=io.StringIO(), owner="ci-runner pid 77")
        lock.acquire()
        assert lock.lease is not None
        lease_id = lock.lease.id
        # The renewal thread is stopped, the lease left behind.
        assert lock._renewer is not None
        lock._renewer.stop()
    return lease_id


def jobs() -> dict[str, str]:
    with connect("local") as client:
        return {job.id: job.name for job in client.jobs.list()}


def test_a_dead_applys_lease_is_named_by_the_refusal_and_removed_by_force_unlock(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lease_id = abandoned_lease()
    apply = ["--api-url", "local", "apply", "jobs.yaml", "--auto-approve"]
    assert cli.main(apply) == EXIT_REFUSED
    refusal = capsys.readouterr().err
    assert "ci-runner pid 77 holds it" in refusal
    assert f"run `bytestack-sync force-unlock {lease_id}`" in refusal
    assert cli.main(["--api-url", "local", "force-unlock", lease_id]) == EXIT_OK
    assert capsys.readouterr().out == (
        f"Released the workspace lock: lease job {lease_id} of ci-runner pid 77.\n"
    )
    assert lease_id not in jobs()
    assert cli.main(apply) == EXIT_OK
    assert sorted(jobs().values()) == ["Daily mentions"]


def test_force_unlock_never_deletes_a_job_that_is_no_lease(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--api-url", "local", "apply", "jobs.yaml", "--auto-approve"]) == EXIT_OK
    (job_id,) = jobs()
    capsys.readouterr()
    assert cli.main(["--api-url", "local", "force-unlock", job_id]) == EXIT_ERROR
    assert capsys.readouterr().err == f"error: job {job_id} is not a lock lease\n"
    assert list(jobs()) == [job_id]


def test_force_unlock_of_an_unknown_lease_says_so_and_changes_nothing(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lease_id = abandoned_lease()
    capsys.readouterr()
    assert cli.main(["--api-url", "local", "force-unlock", "job_\x1b[2Jnope"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("error: no lock lease job_\\x1b[2Jnope in this workspace")
    assert err.count("\n") == 1
    assert [is_lease_name(name) for name in jobs().values()] == [True]
    assert lease_id in jobs()
