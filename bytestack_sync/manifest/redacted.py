"""Reasons for problems with sensitive values: what is wrong and where, never the text.

The redactor scrubs whole sensitive values from output, but not a fragment of one
(a cron field, a URL scheme), nor values too short to scrub safely. So a message
about a sensitive value is built from the rule it breaks alone.
"""

from __future__ import annotations

import re

from bytestack_sync import cron
from bytestack_sync.cron.fields import FIELDS, parse_field

MARK = "(sensitive)"
# The project's messages quote what they found as "(got ...)"; for a secret, that goes.
_GOT = re.compile(r"\s*\(got [^)]*\)")


def schedule_reason(expression: str) -> str:
    """Why an invalid schedule is invalid, naming at most a field: never its text.

    Only meaningful for an expression ``cron.parse`` refused.
    """
    text = expression.strip()
    if text.startswith("@"):
        return f"it is not one of the aliases {', '.join(cron.ALIASES)}, alone"
    parts = text.split()
    if not parts:
        return "it is empty"
    if len(parts) != len(FIELDS):
        names = " ".join(spec.name for spec in FIELDS)
        return f"it must have {len(FIELDS)} fields ({names})"
    for part, spec in zip(parts, FIELDS, strict=True):
        try:
            parse_field(part, spec)
        except cron.CronError:
            return f"the {spec.name} field is invalid"
    return "it never fires: its day-of-month does not occur in its month"


def without_quotes(reason: str) -> str:
    """A value check's reason with what it quoted of the value taken out."""
    return _GOT.sub("", reason)
