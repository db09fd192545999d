"""Concurrent applies of one manifest against one workspace, with and without the lock.

For 2 and 4 concurrent ``apply --auto-approve`` of a 200-job manifest, and for 2
concurrent ``apply FILE`` of one saved plan, three trials each with ``--no-lock``
and with the lock (``--lock-timeout 5m``, so the later applies wait instead of
being refused): the duplicate jobs left (live jobs less distinct names), the lock
leases left, the exit codes, and the total wall time of all trials with the lock
as a ratio to that without. Each trial uses a workspace of its own (a fresh key).

The emulator runs in its own process (``bytestack-sync emulator serve``) with a
little latency per request, as a real API has, and ignoring Idempotency-Key (which
would keep the applies apart by itself): the lock is measured alone. Every apply is
a process of its own.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from _serve import emulator

from bytestack_sync.api.client import Client
from bytestack_sync.plan.leases import is_lease_name

JOBS = 200
TRIALS = 3
LATENCY_MS = "5"
DEADLINE = 600.0
SCENARIOS = (("apply PATHS", 2), ("apply PATHS", 4), ("apply FILE", 2))
MODES = (("--no-lock",), ("--lock-timeout", "5m"))


def write_manifest(directory: Path) -> Path:
    jobs = [
        {
            "name": f"race-{i:03}",
            "prompt": f"How many times was product {i} mentioned today?",
            "sources": ["x"],
            "schedule": "0 8 * * *",
        }
        for i in range(JOBS)
    ]
    path = directory / "manifests"
    path.mkdir()
    # A setting in the selection ends the look for the manifest tree there.
    document = {"version": 1, "prune": "delete", "jobs": jobs}
    (path / "jobs.yaml").write_text(yaml.safe_dump(document), "utf-8")
    return path


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "bytestack_sync", *args]


def trial(
    url: str, key: str, scenario: str, count: int, mode: tuple[str, ...]
) -> tuple[int, int, list[int], float]:
    env = {**os.environ, "BITKIT_API_KEY": key}
    with tempfile.TemporaryDirectory() as tmp:
        manifests = write_manifest(Path(tmp))
        target = manifests
        if scenario == "apply FILE":
            target = Path(tmp) / "plan.json"
            subprocess.run(
                cli("plan", str(manifests), "--out", str(target), "--api-url", url, "-q"),
                env=env, check=True, stdout=subprocess.DEVNULL, timeout=DEADLINE,
            )  # fmt: skip
        argv = cli("apply", str(target), "--auto-approve", "--api-url", url, "-q", *mode)
        started = time.perf_counter()
        quiet = subprocess.DEVNULL
        children = [
            subprocess.Popen(argv, env=env, stdin=quiet, stdout=quiet, stderr=quiet)
            for _ in range(count)
        ]
        codes = sorted(child.wait(timeout=DEADLINE) for child in children)
        elapsed = time.perf_counter() - started
    with Client(url, key) as client:
        jobs = client.jobs.list()
    leases = sum(1 for j in jobs if is_lease_name(j.name))
    names = [j.name for j in jobs if not is_lease_name(j.name)]
    return len(names) - len(set(names)), leases, codes, elapsed


def main() -> None:
    print(f"{JOBS} jobs, {TRIALS} trials, {LATENCY_MS} ms latency per request")
    print("the emulator ignores Idempotency-Key: the lock alone keeps the applies apart")
    with emulator("--latency", LATENCY_MS, "--ignore-idempotency-keys") as url:
        for scenario, count in SCENARIOS:
            totals: dict[str, float] = {}
            for mode in MODES:
                label = "no lock" if mode == ("--no-lock",) else "lock"
                total = 0.0
                for number in range(TRIALS):
                    key = f"bs_bench_{label.replace(' ', '_')}_{count}_{number}_{time.time_ns()}"
                    dups, leases, codes, elapsed = trial(url, key, scenario, count, mode)
                    total += elapsed
                    print(
                        f"{count} x {scenario:<11} {label:<7} trial {number + 1}: "
                        f"duplicates {dups:>3}, leases left {leases}, exit codes {codes}, "
                        f"{elapsed:.2f} s"
                    )
                totals[label] = total
            ratio = totals["lock"] / totals["no lock"]
            print(f"{count} x {scenario}: wall time lock / no lock = {ratio:.2f}\n")


if __name__ == "__main__":
    main()
