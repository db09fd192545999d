"""The ByteStack API contract: every rule the client, the manifest and the emulator share.

Each constant here is the one place that rule lives. Rules marked *assumed* in the
project's reading of the API are the ones most likely to change when the real API
turns out differently; change them here and the client, the validator and the
emulator follow together.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any, Final

# --- transport -------------------------------------------------------------------
DEFAULT_API_URL: Final = "https://api.bytestack.dev/v1"
API_KEY_ENV: Final = "BITKIT_API_KEY"
API_URL_ENV: Final = "BYTESTACK_API_URL"
LOCAL_API_URL: Final = "local"  # also "local:PATH"
DEFAULT_LOCAL_STATE: Final = ".bytestack/local.sqlite3"

# --- idempotent creates (assumed) -------------------------------------------------
# A create may carry this header; a second create with the same key and body answers
# what the first one did (with IDEMPOTENT_REPLAYED_HEADER: true) instead of creating
# again, as payment APIs do. The same key with another body is a 422; while the first
# is still being processed, a 409. Keys are kept for IDEMPOTENCY_WINDOW seconds.
IDEMPOTENCY_KEY_HEADER: Final = "Idempotency-Key"
IDEMPOTENT_REPLAYED_HEADER: Final = "Idempotent-Replayed"
IDEMPOTENCY_KEY_MAX_LENGTH: Final = 255
IDEMPOTENCY_WINDOW: Final = 24 * 3600

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
    409: "conflict",
    429: "rate_limited",
    500: "internal_error",
}

# --- jobs and webhooks: ids, values ---------------------------------------------------
JOB_ID_PREFIX: Final = "job_"
WEBHOOK_ID_PREFIX: Final = "wh_"
QUERY_ID_PREFIX: Final = "qry_"
RUN_ID_PREFIX: Final = "run_"  # [doc, 003 example] a job run's id
ID_BODY_LENGTH: Final = 25  # lowercase letters and digits after the prefix
ID_ALPHABET: Final = "0123456789abcdefghijklmnopqrstuvwxyz"

NAME_MIN: Final = 1
NAME_MAX: Final = 200
PROMPT_MIN: Final = 1
PROMPT_MAX: Final = 4000

KNOWN_SOURCES: Final = ("x", "reddit", "linkedin", "youtube", "tiktok", "instagram", "facebook")
JOB_ACTIVE: Final = "active"
JOB_PAUSED: Final = "paused"
JOB_STATUSES: Final = (JOB_ACTIVE, JOB_PAUSED)
DEFAULT_JOB_STATUS: Final = JOB_ACTIVE

EVENT_TYPES: Final = ("job.completed", "job.failed")
DEFAULT_EVENTS: Final = ("job.completed",)


# --- the one description of each resource --------------------------------------------
class Role(enum.Enum):
    """What a field is to the API, and so what a difference in it costs."""

    IDENTITY = "identity"  # names the resource: another value is another resource
    REPLACE = "replace"  # create-only: a difference forces delete + create (a new id)
    UPDATE = "update"  # changed in place by PATCH
    SERVER = "server"  # set by the API; never declared, never compared
    LOCAL = "local"  # the tool's own: declared in manifests, never sent


class Compare(enum.Enum):
    """How two values of a field are the same."""

    EXACT = "exact"
    STRIPPED = "stripped"  # surrounding whitespace does not count
    SET = "set"  # order and repeats do not count
    SCHEDULE = "schedule"  # by the instants it fires
    OPTIONAL = "optional"  # "" and null both mean none


class Type(enum.Enum):
    TEXT = "text"
    TEXT_SET = "text_set"  # a list on the wire, a set in meaning
    FLAG = "flag"
    TIMESTAMP = "timestamp"  # ISO 8601 text


@dataclass(frozen=True)
class Field:
    """One field of a resource. ``api_default`` is what the API stores when a create
    omits the field (None: nothing, or the field is required)."""

    name: str
    type: Type
    role: Role
    compare: Compare = Compare.EXACT
    optional: bool = False  # may be null / absent
    secret: bool = False  # may be filled by ${secret:...}
    defaultable: bool = False  # a manifest's ``defaults:`` may give it
    api_default: Any = None
    sent_on_create: bool = True  # for IDENTITY, REPLACE and UPDATE fields
    volatile: bool = False  # moved by the API itself (next run, update time)

    @property
    def is_set(self) -> bool:
        return self.compare is Compare.SET

    @property
    def forces_replacement(self) -> bool:
        return self.role is Role.REPLACE

    @property
    def on_create(self) -> bool:
        """Part of a create's body."""
        return self.role in _SENT and self.sent_on_create

    @property
    def declared(self) -> bool:
        """Written in manifests (and so part of a desired spec)."""
        return self.role is not Role.SERVER

    @property
    def compared(self) -> bool:
        """Part of what the planner compares: the values a live resource can differ in."""
        return self.role in (Role.REPLACE, Role.UPDATE)


_SENT = (Role.IDENTITY, Role.REPLACE, Role.UPDATE)


@dataclass(frozen=True)
class Resource:
    """A resource's fields, in the order a reader expects them (how plans show a
    declared resource and how digests list its fields)."""

    kind: str
    id_prefix: str
    fields: tuple[Field, ...]
    # The UPDATE fields in the order the API documents its PATCH body ("pause or resume
    # a job, change its schedule, or update its webhook URL"); diffs list them so.
    update_order: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        keys = [f.name for f in self.fields if f.role is Role.IDENTITY]
        if len(keys) != 1:
            raise ValueError(f"{self.kind}: exactly one identity field (got {keys})")
        if sorted(self.update_order) != sorted(self.names(Role.UPDATE)):
            raise ValueError(f"{self.kind}: update_order must name each UPDATE field once")

    @property
    def key(self) -> str:
        """The identity field: a job's name, a webhook's URL."""
        return next(f.name for f in self.fields if f.role is Role.IDENTITY)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.kind} has no field {name!r}")

    def names(self, *roles: Role) -> tuple[str, ...]:
        """Field names with one of ``roles`` (every field when none is given), in order."""
        return tuple(f.name for f in self.fields if not roles or f.role in roles)

    @property
    def create_fields(self) -> tuple[str, ...]:
        """What a create's body may hold."""
        return tuple(f.name for f in self.fields if f.on_create)

    @property
    def updatable(self) -> tuple[str, ...]:
        """What a PATCH may change; any other field is a 400 (assumed)."""
        return self.update_order

    @property
    def replace_fields(self) -> tuple[str, ...]:
        """A difference in any of these can only be made by delete + create."""
        return self.names(Role.REPLACE)

    @property
    def compared(self) -> tuple[str, ...]:
        """The fields the planner compares, in the order diffs are shown: those that
        force a replacement first, then the updatable ones in the API's order."""
        return self.replace_fields + self.update_order

    @property
    def declared(self) -> tuple[str, ...]:
        """The fields of a desired spec: identity, compared and local ones."""
        return tuple(f.name for f in self.fields if f.declared)

    @property
    def api_fields(self) -> tuple[str, ...]:
        """The fields of the API's JSON form of the resource."""
        return tuple(f.name for f in self.fields if f.role is not Role.LOCAL)

    @property
    def set_fields(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.is_set)

    @property
    def secret_fields(self) -> frozenset[str]:
        """The fields a ``${secret:...}`` may fill."""
        return frozenset(f.name for f in self.fields if f.secret)

    @property
    def defaultable(self) -> tuple[str, ...]:
        """The fields a manifest's ``defaults:`` may give."""
        return tuple(f.name for f in self.fields if f.defaultable)

    @property
    def volatile(self) -> frozenset[str]:
        """Fields the API moves by itself: not part of what a resource *is*."""
        return frozenset(f.name for f in self.fields if f.volatile)


_T, _R = Type, Role
JOB: Final = Resource(
    kind="job",
    id_prefix=JOB_ID_PREFIX,
    fields=(
        Field("id", _T.TEXT, _R.SERVER),
        Field("name", _T.TEXT, _R.IDENTITY, secret=True),
        Field("prompt", _T.TEXT, _R.REPLACE, Compare.STRIPPED, secret=True),
        Field("sources", _T.TEXT_SET, _R.REPLACE, Compare.SET, defaultable=True),
        Field("schedule", _T.TEXT, _R.UPDATE, Compare.SCHEDULE, secret=True, defaultable=True),
        Field(
            "status", _T.TEXT, _R.UPDATE, defaultable=True,
            api_default=DEFAULT_JOB_STATUS, sent_on_create=False,
        ),
        Field(
            "webhook_url", _T.TEXT, _R.UPDATE, Compare.OPTIONAL,
            optional=True, secret=True, defaultable=True,
        ),
        Field("protect", _T.FLAG, _R.LOCAL, defaultable=True, api_default=False),
        Field("next_run_at", _T.TIMESTAMP, _R.SERVER, optional=True, volatile=True),
        Field("created_at", _T.TIMESTAMP, _R.SERVER, optional=True, volatile=True),
        Field("updated_at", _T.TIMESTAMP, _R.SERVER, optional=True, volatile=True),
    ),
    update_order=("status", "schedule", "webhook_url"),
)  # fmt: skip
# Webhooks have no update endpoint: a change of events is delete + register (assumed).
WEBHOOK: Final = Resource(
    kind="webhook",
    id_prefix=WEBHOOK_ID_PREFIX,
    fields=(
        Field("id", _T.TEXT, _R.SERVER),
        Field("url", _T.TEXT, _R.IDENTITY, secret=True),
        Field("events", _T.TEXT_SET, _R.REPLACE, Compare.SET, api_default=DEFAULT_EVENTS),
        Field("created_at", _T.TIMESTAMP, _R.SERVER, optional=True, volatile=True),
    ),
)
# --- queries ------------------------------------------------------------------------
QUERY_QUEUED: Final = "queued"
QUERY_RUNNING: Final = "running"
QUERY_COMPLETED: Final = "completed"
QUERY_FAILED: Final = "failed"
# A query in one of these has its outcome; it changes no more.
QUERY_SETTLED: Final = (QUERY_COMPLETED, QUERY_FAILED)
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
