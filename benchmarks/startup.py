"""How fast `bytestack-sync --help` starts, as a ratio to `python -c "import click"`.

Both are timed in this one run, interleaved round by round so a busy machine
affects them alike; it prints the ratio of the best times and the median of the
per-round ratios. Target: at most 1.3.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROUNDS = 21


def _time(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    # The console script installed beside this interpreter, as a user runs it.
    script = shutil.which("bytestack-sync", path=str(Path(sys.executable).parent))
    if script is None:
        raise SystemExit("bytestack-sync is not installed in this environment")
    commands = {
        "import click": [sys.executable, "-c", "import click"],
        "--help": [script, "--help"],
        "--version": [script, "--version"],
    }
    for argv in commands.values():
        _time(argv)  # warm the bytecode cache
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(ROUNDS):
        for name, argv in commands.items():
            times[name].append(_time(argv))
    baseline = times["import click"]
    print(f"python -c 'import click': best {min(baseline) * 1000:.1f} ms of {ROUNDS}")
    for label in ("--help", "--version"):
        took = times[label]
        median = statistics.median(t / b for t, b in zip(took, baseline, strict=True))
        print(
            f"bytestack-sync {label:<10} best {min(took) * 1000:.1f} ms -> "
            f"ratio {min(took) / min(baseline):.2f} (median per round {median:.2f})"
        )
    print("target: ratio <= 1.3")


if __name__ == "__main__":
    main()
