"""``schema``: the manifest JSON Schema, generated from the models."""

from __future__ import annotations

import json
from typing import TextIO

from bytestack_sync.errors import EXIT_OK
from bytestack_sync.manifest.schema import manifest_schema


def run(*, out: TextIO) -> int:
    out.write(json.dumps(manifest_schema(), indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK
