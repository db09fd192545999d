"""Carrying out a plan against the API: the executor, its report and the destroy guard."""

from bytestack_sync.apply.executor import apply_plan, phases
from bytestack_sync.apply.guard import check_destroy_guard
from bytestack_sync.apply.report import ApplyReport, ChangeOutcome, write_report
from bytestack_sync.constants import DEFAULT_PARALLELISM

__all__ = [
    "DEFAULT_PARALLELISM",
    "ApplyReport",
    "ChangeOutcome",
    "apply_plan",
    "check_destroy_guard",
    "phases",
    "write_report",
]
