"""Apply under injected faults: failures, dropped connections and a rate limit.

A dropped POST has committed the job but lost the answer; re-sending it blindly
would make a duplicate. The workspace must end with exactly the declared jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Job = Callable[..., dict[str, Any]]
Manifest = Callable[..., str]
JOBS = 300


def test_apply_converges_under_faults_without_duplicates(
    emulator: Any, cli: Any, write: Any, job: Job, manifest: Manifest
) -> None:
    served = emulator(fail_rate=0.2, drop_rate=0.05, rate_limit=20, seed=20240501)
    names = [f"fault-{i:03}" for i in range(JOBS)]
    path = write(manifest([job(name) for name in names]))

    first = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
    assert first.code in (0, 3), first.out + first.err
    # About 15 of the 300 creates lose their answer after committing: each is adopted.
    assert "adopted" in first.err  # each change is listed once, in the progress on stderr
    if first.code == 3:
        second = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
        assert second.code == 0, second.out + second.err

    live = [j.name for j in served.client.jobs.list()]
    assert sorted(live) == names  # none missing, none twice
    replan = cli("plan", path, "--api-url", served.api_url, "--detailed-exitcode")
    assert replan.code == 0, replan.out
