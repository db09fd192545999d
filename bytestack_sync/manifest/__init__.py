"""Manifests: YAML with positions, interpolation and validation, into a desired state.

from bytestack_sync.manifest import load_manifests
loaded = load_manifests(["manifests/"])      # ManifestError / NothingToPlanError
loaded.desired                                # bytestack_sync.model.DesiredState
"""

from bytestack_sync.manifest.interpolate import resolve_template
from bytestack_sync.manifest.loader import LoadedManifests, collect, load_manifests

__all__ = ["LoadedManifests", "collect", "load_manifests", "resolve_template"]
