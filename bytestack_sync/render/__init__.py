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
    plan: Plan, fmt: str, out: TextIO, *, color: bool = False, now: datetime | None = None
) -> None:
    """Write ``plan`` to ``out``; colour applies to text only, ``now`` dates schedule runs."""
    moment = now if now is not None else datetime.now(timezone.utc)
    renderer(fmt, color=color).render(plan, out, moment)


__all__ = ["FORMATS", "JsonRenderer", "MarkdownRenderer", "PlanRenderer", "TextRenderer", "render"]
