"""Resource ids and timestamps in the API's formats."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from bytestack_sync import contract

_ID_SPACE = len(contract.ID_ALPHABET) ** contract.ID_BODY_LENGTH
_ID_BYTES = _ID_SPACE.bit_length() // 8 + 8  # extra bytes make the modulo bias negligible


def new_id(prefix: str) -> str:
    """``prefix`` followed by the contract's number of lowercase letters and digits."""
    number = int.from_bytes(secrets.token_bytes(_ID_BYTES), "big") % _ID_SPACE
    base = len(contract.ID_ALPHABET)
    digits = []
    for _ in range(contract.ID_BODY_LENGTH):
        number, digit = divmod(number, base)
        digits.append(contract.ID_ALPHABET[digit])
    return prefix + "".join(digits)


def to_datetime(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc)


def iso(moment: float | datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` suffix, to the second (the API's documented form)."""
    if not isinstance(moment, datetime):
        moment = to_datetime(moment)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime | None:
    """A timezone-aware datetime for an ISO 8601 timestamp, or None when it is not one
    or names a moment outside the years 1 to 9999 in UTC."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        return moment.astimezone(timezone.utc) if moment.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None
