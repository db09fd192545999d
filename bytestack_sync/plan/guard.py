"""The destroy guard's arithmetic: how much of the workspace a plan destroys.

The plan states it (every format says when apply will refuse) and apply enforces
it; both read the same numbers from here, so what a reviewer is told is what
apply does.
"""

from __future__ import annotations

from dataclasses import dataclass

# Below this many managed resources any change is a large fraction: no guard.
MIN_GUARDED = 4


@dataclass(frozen=True)
class DestroyGuard:
    """The guard's reading of one plan: ``refuses`` is apply's verdict without --force."""

    deletes: int
    replaces: int
    managed: int
    max_percent: float
    # Deletes of exact copies (``Change.copy_of``): neither counted as destroyed nor
    # as managed, since the manifest declares one of each and it stays.
    copies: int = 0

    @property
    def destroyed(self) -> int:
        return self.deletes + self.replaces

    @property
    def percent(self) -> float:
        return 100.0 * self.destroyed / self.managed if self.managed else 0.0

    @property
    def refuses(self) -> bool:
        if self.managed < MIN_GUARDED or self.destroyed == 0:
            return False
        return self.percent > self.max_percent

    def explain(self) -> str:
        """The numbers, as both the plan and apply's refusal state them."""
        return (
            f"{self.deletes} delete(s) and {self.replaces} replace(s) would destroy "
            f"{self.destroyed} of {self.managed} managed resources ({self.percent:.0f}%), "
            f"more than max_destroy_percent ({self.max_percent:g}%){self.copies_note()}"
        )

    def copies_note(self) -> str:
        """What the guard left out, as a clause: empty when nothing."""
        if not self.copies:
            return ""
        return (f"; {self.copies} delete(s) of exact duplicates, which lose nothing the "
                "manifests declare, are not counted")  # fmt: skip

    def data(self) -> dict[str, object]:
        return {
            "refuses": self.refuses,
            "deletes": self.deletes,
            "replaces": self.replaces,
            "destroyed": self.destroyed,
            "managed": self.managed,
            "percent": round(self.percent, 1),
            "max_destroy_percent": self.max_percent,
            "exact_copies": self.copies,
        }
