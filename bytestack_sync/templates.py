"""``${VAR}``, ``${VAR:-default}`` and ``${secret:VAR}`` in template texts.

A manifest's string values are templates, resolved as the manifest loads; a saved
plan keeps the template of each sensitive value and resolves it again at apply.

``$${`` is a literal ``${``. A lone ``$`` is just a dollar sign, so prices and
regular expressions in prompts need no escaping; only ``${`` starts a reference.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_TOKEN = re.compile(
    r"\$\$\{"  # escaped: a literal "${"
    r"|\$\{(?P<secret>secret:)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}"
    r"|\$\{"  # anything else after "${" is a mistake worth naming
)


@dataclass(frozen=True)
class Resolved:
    """A string value after interpolation, and what it took to get there."""

    value: str
    sensitive: bool
    missing: tuple[str, ...] = ()  # variable names that were unset, with no default
    invalid: str | None = None  # why the template cannot be read, if it cannot


def resolve(template: str, environ: Mapping[str, str]) -> Resolved:
    """Resolve every reference in ``template``; report (never raise) what is missing."""
    parts: list[str] = []
    missing: list[str] = []
    sensitive = False
    position = 0
    for match in _TOKEN.finditer(template):
        parts.append(template[position : match.start()])
        position = match.end()
        token = match.group(0)
        if token == "$${":
            parts.append("${")
            continue
        name = match.group("name")
        if name is None:
            return Resolved(template, False, invalid=_why_invalid(template, match.start()))
        sensitive = sensitive or match.group("secret") is not None
        value = environ.get(name)
        default = match.group("default")
        if not value and default is not None:
            value = default
        if value is None:
            missing.append(name)
            value = ""
        parts.append(value)
    parts.append(template[position:])
    return Resolved("".join(parts), sensitive, tuple(missing))


def _why_invalid(template: str, start: int) -> str:
    end = template.find("}", start)
    shown = template[start : end + 1] if end >= 0 else template[start : start + 20]
    if end < 0:
        return f"unterminated reference {shown!r} (write $${{ for a literal ${{)"
    return (
        f"invalid reference {shown!r}: expected ${{VAR}}, ${{VAR:-default}} or "
        f"${{secret:VAR}} (write $${{ for a literal ${{)"
    )


def resolve_template(template: str, environ: Mapping[str, str]) -> str:
    """The value of a template as written in a manifest; raises KeyError if a variable is unset.

    A saved plan keeps the template of each sensitive value instead of the value;
    this re-resolves it at apply time.
    """
    result = resolve(template, environ)
    if result.invalid is not None:
        raise ValueError(result.invalid)
    if result.missing:
        raise KeyError(", ".join(result.missing))
    return result.value
