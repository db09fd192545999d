"""The manifest as the user writes it: pydantic models, also the source of the JSON Schema.

These models check structure and types (unknown keys, missing keys, enumerations);
the value rules of the API (lengths, URLs, schedules) come from ``contract`` and
``cron`` and are checked after, where a message can name the rule. Every field
carries a description, a default and an example, because editors show them on hover.
The job and webhook models are written out, for those texts and for mypy; which
fields they have is the contract's table (``contract.JOB``, ``contract.WEBHOOK``),
and a test holds them to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
)
from pydantic.json_schema import SkipJsonSchema

from bytestack_sync import contract
from bytestack_sync.model import PruneMode, SafetySettings

if TYPE_CHECKING:
    SourceId = str
    EventType = str
    JobStatus = str
else:
    # Literal of the contract's tuples: the one list of known values, checked in Rust.
    SourceId = Literal[contract.KNOWN_SOURCES]
    EventType = Literal[contract.EVENT_TYPES]
    JobStatus = Literal[contract.JOB_STATUSES]

MANIFEST_VERSION: Literal[1] = 1
# The constraint sits inside the optional type: pydantic cannot apply it to None.
SourceList = Annotated[list[SourceId], Field(min_length=1)]


def _none_is_empty(value: Any) -> Any:
    """``jobs:`` with every entry commented out is YAML null; read it as an empty list."""
    return [] if value is None else value


def _none_is_empty_mapping(value: Any) -> Any:
    return {} if value is None else value


def _exact_integer(value: Any) -> Any:
    """YAML 1.2 as JSON reads it: true is not 1 and 1.0 is not the integer 1.

    A literal cannot be made strict in pydantic; a spelling it cannot equal makes it fail.
    """
    return repr(value) if isinstance(value, (bool, float)) else value


# Booleans and numbers are strict: "yes", 1 and "25" are not true, true and 25, as
# the JSON Schema says. An integer is a number.
def _strict(title: str) -> ConfigDict:
    return ConfigDict(extra="forbid", hide_input_in_errors=True, title=title)


_SOURCES_DOC = (
    "Where the job looks: a non-empty set of source ids ("
    + ", ".join(contract.KNOWN_SOURCES)
    + ")."
)
_SCHEDULE_DOC = (
    "When the job runs, in UTC: a 5-field cron expression (minute hour day-of-month "
    "month day-of-week) or an alias such as @daily. Quote it: YAML reads a leading * "
    "or @ as syntax."
)
_WEBHOOK_URL_DOC = (
    "Where ByteStack posts this job's results: an https:// URL (plain http:// only for "
    "loopback hosts). null or an empty string means none."
)


class JobDefaults(BaseModel):
    """Values applied to every job in the same file that omits the field."""

    model_config = _strict("defaults")

    sources: SourceList | SkipJsonSchema[None] = Field(
        None,
        description="Default sources. " + _SOURCES_DOC,
        examples=[["x", "reddit"]],
    )
    schedule: str | SkipJsonSchema[None] = Field(
        None, description="Default schedule. " + _SCHEDULE_DOC, examples=["0 8 * * *"]
    )
    status: JobStatus | SkipJsonSchema[None] = Field(
        None,
        description=f"Default status: {contract.JOB_ACTIVE} or {contract.JOB_PAUSED}.",
        examples=[contract.JOB_ACTIVE],
    )
    webhook_url: str | None = Field(
        None,
        description="Default webhook URL. " + _WEBHOOK_URL_DOC,
        examples=["${secret:ALERTS_HOOK}"],
    )
    protect: StrictBool | SkipJsonSchema[None] = Field(
        None, description="Default for protect: refuse to delete or replace.", examples=[True]
    )


class JobModel(BaseModel):
    """A scheduled query. Its identity is its name."""

    model_config = _strict("job")

    name: str = Field(
        min_length=contract.NAME_MIN,
        max_length=contract.NAME_MAX,
        description="The job's identity, unique within the workspace "
        f"({contract.NAME_MIN}-{contract.NAME_MAX} characters). "
        "Renaming a job creates a new one and deletes the old.",
        examples=["Daily Acme mentions"],
    )
    prompt: str = Field(
        description="The natural-language question the job asks "
        f"({contract.PROMPT_MIN}-{contract.PROMPT_MAX} characters after surrounding "
        "whitespace is stripped). Changing it replaces the job.",
        examples=["How many times was Acme mentioned on X today?"],
    )
    sources: SourceList | SkipJsonSchema[None] = Field(
        None,
        description=_SOURCES_DOC + " Required here or in defaults. Changing it replaces the job.",
        examples=[["x", "reddit"]],
    )
    schedule: str | SkipJsonSchema[None] = Field(
        None,
        description=_SCHEDULE_DOC + " Required here or in defaults.",
        examples=["0 8 * * *", "@daily", "*/30 9-17 * * MON-FRI"],
    )
    status: JobStatus = Field(
        contract.DEFAULT_JOB_STATUS,
        description=f"{contract.JOB_ACTIVE} runs on schedule; {contract.JOB_PAUSED} keeps the "
        "job but stops its runs.",
        examples=[contract.JOB_PAUSED],
    )
    webhook_url: str | None = Field(
        None, description=_WEBHOOK_URL_DOC, examples=["https://hooks.example.com/bytestack"]
    )
    protect: StrictBool = Field(
        False,
        description="When true, a plan that would delete or replace this job is an error.",
        examples=[True],
    )


class WebhookModel(BaseModel):
    """A workspace webhook, notified of events of every job. Its identity is its URL."""

    model_config = _strict("webhook")

    url: str = Field(
        description="The receiver: an https:// URL (plain http:// only for loopback hosts).",
        examples=["https://hooks.example.com/bytestack"],
    )
    events: list[EventType] = Field(
        default_factory=lambda: list(contract.DEFAULT_EVENTS),
        json_schema_extra={"default": list(contract.DEFAULT_EVENTS)},
        min_length=1,
        description="The event types sent: a non-empty set of "
        + ", ".join(contract.EVENT_TYPES)
        + ". Changing it replaces the webhook.",
        examples=[list(contract.EVENT_TYPES)],
    )


class IgnoreModel(BaseModel):
    """Live resources this manifest never touches, unless it declares them."""

    model_config = _strict("ignore")

    jobs: list[str] = Field(
        default_factory=list,
        json_schema_extra={"default": []},
        description="Glob patterns (* ? [abc]) matched against live job names.",
        examples=[["adhoc-*"]],
    )
    webhooks: list[str] = Field(
        default_factory=list,
        json_schema_extra={"default": []},
        description="Glob patterns matched against live webhook URLs.",
        examples=[["https://internal.example.com/*"]],
    )


class SafetyModel(BaseModel):
    """Overrides of the apply guard and the schedule warning."""

    model_config = _strict("safety")

    max_destroy_percent: StrictFloat = Field(
        SafetySettings().max_destroy_percent,
        ge=0,
        le=100,
        description="apply refuses (unless --force) when deletes + replaces exceed this "
        "percentage of the managed live resources, once there are at least 4.",
        examples=[10],
    )
    max_runs_per_day: StrictInt = Field(
        contract.DEFAULT_MAX_RUNS_PER_DAY,
        ge=1,
        description="A schedule that fires more often than this on a day is a warning.",
        examples=[48],
    )


class ManifestModel(BaseModel):
    """A bytestack-sync manifest: jobs and webhooks to keep in sync with a workspace."""

    model_config = ConfigDict(
        extra="forbid", hide_input_in_errors=True, title="bytestack-sync manifest"
    )

    version: Annotated[Literal[1], BeforeValidator(_exact_integer)] = Field(
        MANIFEST_VERSION, description="The manifest format version. Only 1 exists.", examples=[1]
    )
    defaults: Annotated[JobDefaults, BeforeValidator(_none_is_empty_mapping)] = Field(
        default_factory=JobDefaults,
        json_schema_extra={"default": {}},
        description="Values for every job in this file that omits the field.",
        examples=[{"sources": ["x"], "webhook_url": "${secret:ALERTS_HOOK}"}],
    )
    prune: PruneMode = Field(
        PruneMode.DELETE,
        description="What happens to live jobs and webhooks that no manifest declares: "
        "delete them, pause them (jobs), or leave them alone (off). Set in one file only.",
        examples=[PruneMode.PAUSE.value],
    )
    ignore: Annotated[IgnoreModel, BeforeValidator(_none_is_empty_mapping)] = Field(
        default_factory=IgnoreModel,
        json_schema_extra={"default": {}},
        description="Live resources never touched unless declared. Set in one file only.",
        examples=[{"jobs": ["adhoc-*"]}],
    )
    safety: Annotated[SafetyModel, BeforeValidator(_none_is_empty_mapping)] = Field(
        default_factory=SafetyModel,
        json_schema_extra={"default": {}},
        description="Overrides of the apply guard. Set in one file only.",
        examples=[{"max_destroy_percent": 10}],
    )
    jobs: Annotated[list[JobModel], BeforeValidator(_none_is_empty)] = Field(
        default_factory=list,
        json_schema_extra={"default": []},
        description="Scheduled queries; each name is unique across all manifests.",
        examples=[
            [
                {
                    "name": "Daily Acme mentions",
                    "prompt": "How many times was Acme mentioned today?",
                    "sources": ["x"],
                    "schedule": "0 8 * * *",
                }
            ]
        ],
    )
    webhooks: Annotated[list[WebhookModel], BeforeValidator(_none_is_empty)] = Field(
        default_factory=list,
        json_schema_extra={"default": []},
        description="Workspace webhooks; each url is unique across all manifests.",
        examples=[[{"url": "https://hooks.example.com/bytestack", "events": ["job.completed"]}]],
    )


SINGLETON_SECTIONS = ("prune", "ignore", "safety")

_JOB, _WEBHOOK = contract.JOB, contract.WEBHOOK
# Fields a ${secret:...} may fill: the ones a saved plan can re-resolve.
SECRET_FIELDS: Final = {
    _JOB.kind: _JOB.secret_fields,
    _WEBHOOK.kind: _WEBHOOK.secret_fields,
    "defaults": _JOB.secret_fields & frozenset(_JOB.defaultable),
}
# Job fields the API requires that a file's defaults may give instead: the models
# let them be missing, and a job that ends up without one is an error.
REQUIRED_UNLESS_DEFAULTED: Final = tuple(
    f.name for f in _JOB.fields if f.defaultable and not f.optional and f.api_default is None
)
