"""Plan renderers: ``render(plan, fmt, out)`` writes a plan as text, JSON or markdown.

Each format is its own class writing to a file handle; all of them read the plan
through ``fields.view_plan``, which masks every sensitive value.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Protocol, TextIO

from bytestack_sync.constants import FORMATS
from bytestack_sync.plan.plan import Plan
from bytestack_sync.render.json_ import JsonRenderer
from bytestack_sync.render.markdown import MarkdownRenderer
from bytestack_sync.render.text import TextRenderer


class PlanRenderer(Protocol):
    def render(self, plan: Plan, out: TextIO, now: datetime) -> None: ...


def renderer(fmt: str, *, color: bool = False) -> PlanRenderer:
    if fmt == "text":
        return TextRenderer(color=color)
    if fmt == "json":
        return JsonRenderer()
    if fmt == "markdown":
        return MarkdownRenderer()
    raise ValueError(f"unknown plan format {fmt!r}; expected one of {', '.join(FORMATS)}")


def render(
    plan: Plan,
    fmt: str,
    out: TextIO,
    *,
    color: bool = False,
    now: datetime | None = None,
    warnings: bool = True,
) -> None:
    """Write ``plan`` to ``out``; colour applies to text only, ``now`` dates schedule runs.

    ``warnings=False`` leaves a text plan's warnings out, for a caller that prints
    them on stderr (the json and markdown documents always carry theirs).
    """
    moment = now if now is not None else datetime.now(timezone.utc)
    chosen = TextRenderer(color=color, warnings=warnings) if fmt == "text" else renderer(fmt)
    chosen.render(plan, out, moment)


__all__ = ["FORMATS", "JsonRenderer", "MarkdownRenderer", "PlanRenderer", "TextRenderer", "render"]
