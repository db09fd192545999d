"""Durations as people write them: ``90s``, ``5m``, ``1h30m``, ``1d``, ``2w``, and ISO
8601's ``PT1H30M`` or ``P1D``. One reading for every option that takes one; each
caller says which units it takes and what range it allows."""

from __future__ import annotations

import re

UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 7 * 86400.0}
_PART = re.compile(r"([0-9]+(?:\.[0-9]*)?)([smhdw])")
_ISO = re.compile(
    r"P(?:([0-9]+)W)?(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:\.[0-9]+)?)S)?)?"
)


def seconds_in(text: str, *, units: str = "smhdw", iso: bool = True) -> float | None:
    """The seconds ``text`` names, or None when it is not a duration in ``units``
    (a run of number-unit pairs such as ``1h30m``) or, with ``iso``, ISO 8601's form."""
    value = text.strip()
    parts = _PART.findall(value)
    if value and _PART.sub("", value) == "" and all(u in units for _, u in parts):
        return sum(float(n) * UNITS[u] for n, u in parts)
    matched = _ISO.fullmatch(value.upper()) if iso else None
    if matched is None or not any(matched.groups()) or value.upper().endswith("T"):
        return None
    weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in matched.groups())
    return weeks * UNITS["w"] + days * UNITS["d"] + hours * UNITS["h"] + minutes * 60 + seconds
