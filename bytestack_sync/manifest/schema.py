"""The manifest JSON Schema, from the pydantic models, for editors and for checking examples."""

from __future__ import annotations

from typing import Any

from bytestack_sync.manifest.models import ManifestModel

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "https://bytestack.dev/schemas/bytestack-sync/manifest.schema.json"


def manifest_schema() -> dict[str, Any]:
    generated = ManifestModel.model_json_schema(mode="validation")
    return {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID, **generated}
