"""The ByteStack API contract: every rule the client, the manifest and the emulator share.

Each constant here is the one place that rule lives. Rules marked *assumed* in the
project's reading of the API are the ones most likely to change when the real API
turns out differently; change them here and the client, the validator and the
emulator follow together.
"""

from __future__ import annotations

import re
from typing import Final

# --- transport -------------------------------------------------------------------
DEFAULT_API_URL: Final = "https://api.bytestack.dev/v1"
API_KEY_ENV: Final = "BITKIT_API_KEY"
API_URL_ENV: Final = "BYTESTACK_API_URL"
LOCAL_API_URL: Final = "local"  # also "local:PATH"
DEFAULT_LOCAL_STATE: Final = ".bytestack/local.sqlite3"

# --- pagination (assumed) ----------------------------------------------------------
PAGE_LIMIT_MIN: Final = 1
PAGE_LIMIT_MAX: Final = 1000
PAGE_LIMIT_DEFAULT: Final = 100

# --- error codes by status (assumed names, documented statuses) -----------------
ERROR_CODES: Final[dict[int, str]] = {
    400: "invalid_request",
    401: "unauthorized",
    402: "payment_required",
    403: "forbidden",
    404: "not_found",
    429: "rate_limited",
    500: "internal_error",
}

# --- jobs ---------------------------------------------------------------------------
JOB_ID_PREFIX: Final = "job_"
WEBHOOK_ID_PREFIX: Final = "wh_"
QUERY_ID_PREFIX: Final = "qry_"
RUN_ID_PREFIX: Final = "run_"
ID_BODY_LENGTH: Final = 25  # lowercase letters and digits after the prefix
ID_ALPHABET: Final = "0123456789abcdefghijklmnopqrstuvwxyz"

NAME_MIN: Final = 1
NAME_MAX: Final = 200
PROMPT_MIN: Final = 1
PROMPT_MAX: Final = 4000

KNOWN_SOURCES: Final = ("x", "reddit", "linkedin", "youtube", "tiktok", "instagram", "facebook")
JOB_STATUSES: Final = ("active", "paused")
DEFAULT_JOB_STATUS: Final = "active"

# PATCH /v1/jobs/{id} accepts only these; any other field is a 400 (assumed).
UPDATABLE_JOB_FIELDS: Final = ("status", "schedule", "webhook_url")
# A difference in any of these can only be made by delete + create (a new job id).
JOB_REPLACE_FIELDS: Final = ("prompt", "sources")
JOB_CREATE_FIELDS: Final = ("name", "prompt", "sources", "schedule", "webhook_url")

# --- webhooks -----------------------------------------------------------------------
EVENT_TYPES: Final = ("job.completed", "job.failed")
DEFAULT_EVENTS: Final = ("job.completed",)
# Webhooks have no update endpoint: a change of events is delete + register (assumed).
WEBHOOK_REPLACE_FIELDS: Final = ("events",)

# --- queries ------------------------------------------------------------------------
QUERY_STATUSES: Final = ("queued", "running", "completed", "failed")
QUERY_LIMIT_MIN: Final = 1
QUERY_LIMIT_MAX: Final = 1000

# --- schedules ----------------------------------------------------------------------
DEFAULT_MAX_RUNS_PER_DAY: Final = 96


def check_name(name: str) -> str | None:
    """Return why a job name is invalid, or None."""
    if not NAME_MIN <= len(name) <= NAME_MAX:
        return f"name must be {NAME_MIN}-{NAME_MAX} characters (got {len(name)})"
    return None


def normalise_prompt(prompt: str) -> str:
    """The form of a prompt the tool sends and compares: surrounding whitespace stripped."""
    return prompt.strip()


def check_prompt(prompt: str) -> str | None:
    """Return why a prompt is invalid, or None. Length counts the stripped form."""
    length = len(normalise_prompt(prompt))
    if not PROMPT_MIN <= length <= PROMPT_MAX:
        return f"prompt must be {PROMPT_MIN}-{PROMPT_MAX} characters after stripping (got {length})"
    return None


def check_sources(sources: list[str]) -> list[str]:
    """Return every reason a sources list is invalid (empty list or unknown ids)."""
    if not sources:
        return ["sources must not be empty"]
    return [f"unknown source {s!r}" for s in sources if s not in KNOWN_SOURCES]


def check_events(events: list[str]) -> list[str]:
    """Return every reason an events list is invalid (empty list or unknown types)."""
    if not events:
        return ["events must not be empty"]
    return [f"unknown event type {e!r}" for e in events if e not in EVENT_TYPES]


def is_loopback_host(host: str) -> bool:
    import ipaddress  # imported on use: the CLI's start-up path reads this module

    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def check_url(url: str) -> str | None:
    """Return why a webhook URL is invalid, or None.

    ``https://`` is required; plain ``http://`` is allowed only for loopback hosts so
    that a local receiver (or the emulator) can be a target.
    """
    from urllib.parse import urlsplit

    if not _SCHEME.match(url):
        return "must be an absolute https:// URL"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return "is not a valid URL"
    if not host:
        return "must name a host"
    if any(c.isspace() for c in url):
        return "must not contain whitespace"
    scheme = parts.scheme.lower()
    if scheme == "https":
        return None
    if scheme == "http" and is_loopback_host(host):
        return None
    if scheme == "http":
        return "must use https:// (plain http:// is allowed only for loopback hosts)"
    return f"must use https:// (got {scheme}://)"
