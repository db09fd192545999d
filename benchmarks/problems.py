"""How the time to report a manifest's problems grows with their number.

A manifest with N unknown top-level keys (each one problem) is validated through
``validate``'s own path (read, compose, validate, locate every problem, print),
for N = 5,000, 10,000, 20,000 and 40,000. The sizes are interleaved, round by
round, so a slow moment of the machine falls on all of them alike. Prints the
minimum and median per size, and time(40k) / time(5k): reporting that grows
linearly with the number of problems gives about 8.

    python benchmarks/problems.py [--rounds R] [--sizes 5000,10000,20000,40000]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time

from bytestack_sync.commands import validate

SIZES = (5_000, 10_000, 20_000, 40_000)


def manifest_text(unknown: int) -> str:
    lines = [
        "version: 1",
        "jobs:",
        "  - name: Daily mentions",
        "    prompt: How many times was Acme mentioned today?",
        "    sources: [x]",
        '    schedule: "0 8 * * *"',
    ]
    lines += [f"unknown_key_{index:06d}: {index}" for index in range(unknown)]
    return "\n".join(lines) + "\n"


def report(path: str) -> float:
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    code = validate.run([path], out=out, err=err, github=False, verbosity=0)
    elapsed = time.perf_counter() - start
    assert code == 1, out.getvalue()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    timings: dict[int, list[float]] = {size: [] for size in sizes}
    with tempfile.TemporaryDirectory() as directory:
        paths = {}
        for size in sizes:
            # A directory each, marked as a repository root: the tree survey reads
            # a manifest's sibling files, and must not read the other sizes'.
            own = os.path.join(directory, str(size))
            os.makedirs(os.path.join(own, ".git"))
            paths[size] = os.path.join(own, "unknown.yaml")
            with open(paths[size], "w", encoding="utf-8") as handle:
                handle.write(manifest_text(size))
        report(paths[sizes[0]])  # warm imports and caches
        for _ in range(args.rounds):
            for size in sizes:
                timings[size].append(report(paths[size]))
    print(f"rounds: {args.rounds}")
    for size in sizes:
        found = timings[size]
        print(
            f"{size:>6} unknown keys: min {min(found):8.3f} s   "
            f"median {statistics.median(found):8.3f} s   "
            f"per key {statistics.median(found) / size * 1e6:6.1f} us"
        )
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        ratio = statistics.median(timings[last]) / statistics.median(timings[first])
        print(
            f"ratio time({last}) / time({first}) (median): {ratio:.1f} (linear: {last / first:.0f})"
        )


if __name__ == "__main__":
    main()
