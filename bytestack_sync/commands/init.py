"""``bytestack-sync init [DIR]``: a commented starter manifest, its schema and a .gitignore line."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TextIO

from bytestack_sync.contract import DEFAULT_LOCAL_STATE, JOB_ACTIVE, JOB_PAUSED
from bytestack_sync.errors import BytestackSyncError
from bytestack_sync.export import DEFAULT_SCHEMA_REF, SCHEMA_NAME

MANIFEST_NAME = "bytestack.yaml"
# The directory the local emulator keeps its state in.
GITIGNORE_LINE = DEFAULT_LOCAL_STATE.partition("/")[0] + "/"

STARTER = f"""\
# yaml-language-server: $schema={DEFAULT_SCHEMA_REF}
#
# ByteStack jobs and webhooks, kept in git and reconciled by bytestack-sync:
#
#   bytestack-sync validate .        # offline checks: YAML, fields, schedules
#   bytestack-sync plan .            # what would change in the live workspace
#   bytestack-sync apply .           # make it so (asks for "yes" first)
#
# Try it without an account first: add --api-url local to plan and apply to use
# the built-in emulator, whose state lives in {GITIGNORE_LINE} (ignored by git).
version: 1

# What happens to live jobs and webhooks that no manifest declares:
#   delete (the default) | pause | off
prune: delete

# Live resources this manifest never touches, unless it declares them.
ignore:
  jobs: ["adhoc-*"]

jobs:
  # A job's name is its identity: renaming it creates a new job and deletes the old.
  - name: Daily Acme mentions
    # Changing the prompt or sources replaces the job (new id, new result files).
    prompt: How many times was Acme mentioned on X today?
    sources: [x, reddit]
    # Standard 5-field cron, in UTC. Changing it is an in-place update.
    schedule: "0 8 * * 1-5"
    # status: {JOB_PAUSED}          # {JOB_ACTIVE} (default) | {JOB_PAUSED}
    # webhook_url: ${{secret:ALERTS_HOOK}}   # sensitive: never shown, only fingerprinted
    # protect: true           # refuse to delete or replace this job

# webhooks:
#   - url: https://hooks.example.com/bytestack
#     events: [job.completed, job.failed]
"""


def _gitignore(path: Path) -> bool:
    """Add the local-state line to this .gitignore unless present; True when written."""
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    if GITIGNORE_LINE in existing.splitlines():
        return False
    separator = "" if not existing or existing.endswith("\n") else "\n"
    path.write_text(f"{existing}{separator}{GITIGNORE_LINE}\n", encoding="utf-8")
    return True


def _schema_text() -> str:
    from bytestack_sync.commands import schema

    buffer = io.StringIO()
    schema.run(out=buffer)
    return buffer.getvalue()


def run(directory: str, *, out: TextIO, verbosity: int = 0) -> int:
    """Write the starter; the .gitignore line goes where `--api-url local` keeps its
    state: the working directory, which is where the commands run."""
    root = Path(directory)
    manifest = root / MANIFEST_NAME
    if manifest.exists():
        raise BytestackSyncError(f"{manifest} already exists; refusing to overwrite it")
    root.mkdir(parents=True, exist_ok=True)
    manifest.write_text(STARTER, encoding="utf-8")
    (root / SCHEMA_NAME).write_text(_schema_text(), encoding="utf-8")
    lines = [f"wrote {manifest} and {root / SCHEMA_NAME}"]
    if _gitignore(Path(".gitignore")):
        lines.append(f"added {GITIGNORE_LINE} to .gitignore (local emulator state)")
    lines.append(f"next: bytestack-sync validate {directory}")
    if verbosity >= 0:
        out.write("\n".join(lines) + "\n")
    return 0
