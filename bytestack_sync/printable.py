"""Text that came from elsewhere (a server's message, a live job's name), made safe
to print: on one line, no control character a terminal or a CI log would act on.

What a server or a workspace holds goes through ``shown`` before any message, progress
line, report or markdown plan quotes it: a hostile or broken server, or a job someone
named with an escape sequence, cannot move the cursor, clear a terminal, forge a line
of our output or a GitHub workflow command, or flood a log. (The text and JSON plans
quote names as JSON strings, which escapes the same characters.)
"""

from __future__ import annotations

import re

# The most of a server's text a message quotes; the rest is counted, not shown.
SHOWN_MAX = 500

# C0 and C1 controls (CR, ESC, the single-byte CSI...), DEL, line and paragraph
# separators, bidirectional overrides and isolates (they reorder what a reader sees),
# and lone surrogates (they cannot even be encoded for a terminal).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# A GitHub Actions runner reads a line whose text starts with ``::`` as a command.
_WORKFLOW_COMMAND = re.compile(r"^(\s*):(?=:)")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str, limit: int = SHOWN_MAX) -> str:
    """``text`` from the server as a message may quote it: on one line, every
    control character escaped (``\\r``, ``\\x1b``), a leading ``::`` broken up
    (``: :``), and at most ``limit`` characters of it, the rest counted."""
    head, rest = text[:limit], len(text) - limit
    safe = _WORKFLOW_COMMAND.sub(r"\1: ", _UNSAFE.sub(_escape, head))
    return f"{safe}… ({rest:,} more characters)" if rest > 0 else safe
