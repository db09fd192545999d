"""Applies of 200 jobs against a faulty API: how many to converge, and what they leave.

The emulator runs in its own process with ``--fail-rate 0.5 --drop-rate 0.2
--rate-limit 10`` (half the requests answered 500 doing nothing, a fifth of the
writes committed and then their connection dropped, 10 requests a second per key).
For each of three seeds, ``apply --auto-approve`` runs until one exits 0 (at most
MAX_APPLIES): the applies it took, then the duplicate jobs (live jobs less distinct
names) and the missing ones (declared, not live). Then 4 concurrent applies of the
manifest against a fresh workspace of the same faulty API (``--lock-timeout 10m``),
followed by applies until one exits 0: the duplicates they leave.

Every apply is a process of its own. Prints figures; asserts nothing.
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
from bytestack_sync.api.errors import ApiError
from bytestack_sync.plan.leases import is_lease_name

JOBS = 200
SEEDS = (1, 2, 3)
FAULTS = ("--fail-rate", "0.5", "--drop-rate", "0.2", "--rate-limit", "10")
MAX_APPLIES = 5
DEADLINE = 1800.0


def write_manifest(directory: Path) -> Path:
    jobs = [
        {
            "name": f"faulty-{i:03}",
            "prompt": f"How many times was product {i} mentioned today?",
            "sources": ["x"],
            "schedule": "0 8 * * *",
        }
        for i in range(JOBS)
    ]
    path = directory / "jobs.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "prune": "delete", "jobs": jobs}), "utf-8")
    return path


def apply_argv(manifest: Path, url: str, *options: str) -> list[str]:
    return [
        sys.executable, "-m", "bytestack_sync", "apply", str(manifest), "--auto-approve",
        "--api-url", url, "-q", *options,
    ]  # fmt: skip


def run(argv: list[str], env: dict[str, str]) -> int:
    quiet = subprocess.DEVNULL
    return subprocess.run(
        argv, env=env, stdin=quiet, stdout=quiet, stderr=quiet, timeout=DEADLINE, check=False
    ).returncode


def until_converged(manifest: Path, url: str, env: dict[str, str]) -> tuple[int, list[int]]:
    codes: list[int] = []
    while len(codes) < MAX_APPLIES:
        codes.append(run(apply_argv(manifest, url, "--lock-timeout", "10m"), env))
        if codes[-1] == 0:
            return len(codes), codes
    return 0, codes  # 0: did not converge within MAX_APPLIES


def counts(url: str, key: str) -> tuple[int, int]:
    """(duplicates, missing), read with the faults still on: retried until it reads."""
    for _ in range(20):
        try:
            with Client(url, key) as client:
                jobs = client.jobs.list()
            break
        except ApiError:
            time.sleep(1)
    else:
        raise SystemExit("could not read the workspace")
    names = [j.name for j in jobs if not is_lease_name(j.name)]
    declared = {f"faulty-{i:03}" for i in range(JOBS)}
    return len(names) - len(set(names)), len(declared - set(names))


def main() -> None:
    print(f"{JOBS} jobs; emulator {' '.join(FAULTS)}")
    with tempfile.TemporaryDirectory() as tmp:
        manifest = write_manifest(Path(tmp))
        for seed in SEEDS:
            with emulator(*FAULTS, "--seed", str(seed)) as url:
                key = f"bs_faults_{seed}_{time.time_ns()}"
                env = {**os.environ, "BITKIT_API_KEY": key}
                started = time.perf_counter()
                applies, codes = until_converged(manifest, url, env)
                elapsed = time.perf_counter() - started
                dups, missing = counts(url, key)
                took = str(applies) if applies else f"not within {MAX_APPLIES}"
                print(
                    f"seed {seed}: applies to converge {took} (exit codes {codes}), "
                    f"duplicates {dups}, missing {missing}, {elapsed:.0f} s"
                )
        with emulator(*FAULTS, "--seed", "4") as url:
            key = f"bs_faults_concurrent_{time.time_ns()}"
            env = {**os.environ, "BITKIT_API_KEY": key}
            argv = apply_argv(manifest, url, "--lock-timeout", "10m")
            quiet = subprocess.DEVNULL
            children = [
                subprocess.Popen(argv, env=env, stdin=quiet, stdout=quiet, stderr=quiet)
                for _ in range(4)
            ]
            together = sorted(child.wait(timeout=DEADLINE) for child in children)
            applies, codes = until_converged(manifest, url, env)
            dups, missing = counts(url, key)
            print(
                f"4 concurrent applies: exit codes {together}; then {applies} more to converge "
                f"(exit codes {codes}); duplicates {dups}, missing {missing}"
            )


if __name__ == "__main__":
    main()
