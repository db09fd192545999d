"""How long loading a 10,000-job manifest takes, relative to parsing it with plain PyYAML.

`load_manifests` (the validate path: compose with positions, interpolate, validate,
parse schedules, build specs) against `yaml.load(text, Loader=CSafeLoader)` of the
same file, measured in one run, best of several repetitions each. Prints the ratio.

load_manifests pauses the cyclic garbage collector while it builds its trees (on a
big file most of yaml.load's own time goes to the collector re-scanning the heap), so
a second ratio compares against yaml.load with the collector paused too: that one
measures the work itself.

    python benchmarks/validate.py [--jobs N] [--repeat R]
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import time
from collections.abc import Callable

import yaml

from bytestack_sync.manifest import load_manifests

SCHEDULES = ("0 8 * * *", "*/30 9-17 * * MON-FRI", "@daily", "15 6 * * 1", "0 */4 * * *")
SOURCES = ("[x]", "[x, reddit]", "[linkedin, youtube]", "[reddit]")


def manifest_text(jobs: int) -> str:
    lines = [
        "# yaml-language-server: $schema=../schemas/manifest.schema.json",
        "version: 1",
        "defaults:",
        "  webhook_url: ${HOOK:-https://hooks.example.com/bytestack}",
        "jobs:",
    ]
    for index in range(jobs):
        lines += [
            f"  - name: Job {index:05d} brand mentions",
            "    prompt: |",
            f"      How many times was brand {index} mentioned today, and in what tone?",
            f"    sources: {SOURCES[index % len(SOURCES)]}",
            f'    schedule: "{SCHEDULES[index % len(SCHEDULES)]}"',
        ]
        if index % 7 == 0:
            lines.append("    status: paused")
        if index % 11 == 0:
            lines.append("    protect: true")
    lines += ["webhooks:", "  - url: https://hooks.example.com/bytestack", ""]
    return "\n".join(lines)


def best_of(repeat: int, action: Callable[[], object]) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "jobs.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(manifest_text(args.jobs))

        def bare() -> object:
            with open(path, encoding="utf-8") as handle:
                return yaml.load(handle.read(), Loader=yaml.CSafeLoader)

        def full() -> object:
            loaded = load_manifests([path], environ={})
            assert len(loaded.desired.jobs) == args.jobs
            return loaded

        def bare_paused() -> object:
            gc.disable()
            try:
                return bare()
            finally:
                gc.enable()

        bare(), full()  # warm imports and caches for both
        bare_time = best_of(args.repeat, bare)
        paused_time = best_of(args.repeat, bare_paused)
        full_time = best_of(args.repeat, full)
    print(f"jobs: {args.jobs}")
    print(f"yaml.load (CSafeLoader):              {bare_time * 1000:.1f} ms")
    print(f"yaml.load (CSafeLoader), gc paused:   {paused_time * 1000:.1f} ms")
    print(f"load_manifests:                       {full_time * 1000:.1f} ms")
    print(f"ratio: {full_time / bare_time:.2f}x (target <= 1.5x)")
    print(f"ratio to yaml.load with gc paused: {full_time / paused_time:.2f}x")


if __name__ == "__main__":
    main()
