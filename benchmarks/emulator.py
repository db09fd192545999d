"""How fast the emulator's clock fires job runs.

An advance of one day for 100 jobs at ``*/15 * * * *`` (9,600 runs, each a query,
a result file and a run record), sent to ``POST /_emulator/clock/advance`` of an
emulator with a manual clock over a SQLite state file, in process. Each round
starts from a fresh state file; rounds are repeated and the minimum and median
reported, since the machine is shared. Deliveries of runs to webhooks are not
emulated yet, so they are not measured. Asserts nothing.

    python benchmarks/emulator.py [--rounds N]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bytestack_sync.emulator.app import create_app
from bytestack_sync.emulator.local import LocalTransport

JOBS = 100
START = 1_796_256_000.0  # 2026-12-03T00:00:00Z
KEY = "bench-emulator-key"


def one_round(directory: Path, index: int) -> tuple[float, int]:
    app = create_app(str(directory / f"round-{index}.sqlite3"), clock_mode="manual", start=START)
    try:
        with httpx.Client(
            base_url="http://emulator.local", transport=LocalTransport(app),
            headers={"Authorization": f"Bearer {KEY}"}, timeout=600,
        ) as client:  # fmt: skip
            for n in range(JOBS):
                job = {"name": f"job {n}", "prompt": f"How often was product {n} mentioned?",
                       "sources": ["x"], "schedule": "*/15 * * * *"}  # fmt: skip
                client.post("/v1/jobs", json=job).raise_for_status()
            gc.collect()
            started = time.perf_counter()
            answer = client.post("/_emulator/clock/advance", json={"seconds": 86400})
            elapsed = time.perf_counter() - started
            answer.raise_for_status()
            return elapsed, len(answer.json()["fired"])
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        results = [one_round(Path(tmp), i) for i in range(rounds)]
    fired = {n for _, n in results}
    rates = [n / seconds for seconds, n in results]
    print(f"advance of 1 day, {JOBS} jobs at */15: runs fired {sorted(fired)}")
    print(f"runs fired per second over {rounds} rounds: min {min(rates):,.0f}, "
          f"median {statistics.median(rates):,.0f}")  # fmt: skip
    print(f"seconds per advance: min {min(s for s, _ in results):.2f}, "
          f"median {statistics.median(s for s, _ in results):.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
