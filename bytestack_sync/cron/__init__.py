"""Cron schedules: validation, semantic comparison, next runs and descriptions.

The manifest validator and the local emulator both use this package, so they
never disagree on what is valid. The tool's own rules decide, not a library's
defaults:

- Five fields: minute (0-59), hour (0-23), day-of-month (1-31), month (1-12 or
  JAN-DEC), day-of-week (0-7 or SUN-SAT; 0 and 7 are Sunday). Names are
  case-insensitive. Each field is `*` or a list of values, ranges `a-b`, and
  steps `*/n`, `a-b/n` or `a/n` (short for a-LAST/n). A step runs from 1 up to
  the number of values in the field (60, 24, 31, 12, 7). In day-of-week,
  `*` and `a/n` stop at Saturday (6): `1/2` is MON,WED,FRI; 7 is only another
  name for Sunday. `*` cannot be combined with other items in a list.
- Aliases `@hourly @daily @midnight @weekly @monthly @yearly @annually`.
- Refused, with a reason naming the part: 6 or 7 fields, `@reboot`, unknown
  aliases, the non-standard `L W # ? H R`, values or steps out of range,
  reversed ranges (`FRI-MON`), zero steps, empty items, anything else, and a
  schedule that can never fire (`0 0 30 2 *`).
- Day-of-month and day-of-week follow Vixie cron: a day field whose text starts
  with `*` (so `*` and `*/n`) is unrestricted. When both are restricted a day
  fires if either matches (OR); otherwise it must match both (AND). So
  `0 0 1-31 * 1` fires every day, `0 0 * * 1` on Mondays only, and
  `0 0 */2 * 1` on odd-numbered days that are Mondays. (croniter differs here:
  it treats `*/2` as restricted.)
- Schedules are in UTC. Two schedules are equal when they fire at the same
  instants: equal minutes, equal hours, and equal sets of (month, day,
  weekday) they fire on, over every calendar date including Feb 29.
"""

from bytestack_sync.cron.fields import CronError
from bytestack_sync.cron.schedule import ALIASES, Schedule, equivalent, parse

__all__ = ["ALIASES", "CronError", "Schedule", "equivalent", "parse"]
