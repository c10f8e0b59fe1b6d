"""Submission dates as survey tools write them -> the ISO 8601 text the canonical template expects.

Supported (each dialect also accepts ISO 8601, which is what a real date cell of an XLSX export becomes):

| dialect | example |
|---|---|
| ``iso`` | ``2026-03-02``, ``2026-03-02T10:15:00``, ``2026-03-02 10:15`` |
| ``google-forms`` | ``2026/03/02 10:15:00 AM GMT+1`` (time zone optional) |
| ``microsoft-forms`` | ``3/2/26 10:15:00``, ``3/2/2026 10:15`` (month first, as Forms writes in its XLSX) |
| ``kobotoolbox`` | ``2026-03-02T10:15:00.000+01:00`` |
| ``limesurvey`` | ``2026-03-02 10:15:00`` |
| ``eusurvey`` | ``02/03/2026 10:15`` or ``02/03/2026 10:15:00`` (day first) |

The result is the wall-clock time the respondent's tool showed, without the offset: Microsoft Forms, LimeSurvey
and EUSurvey write no offset, so keeping it only for some tools would make the same answer differ by tool.
Anything else is refused with the format the dialect expects, never guessed (3/2 is March or February).
"""

from __future__ import annotations

import re
from datetime import date, datetime

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_GOOGLE = re.compile(
    r"^(\d{4})/(\d{1,2})/(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2})\s*([AaPp][Mm])?(?:\s*(?:GMT|UTC)[+-]\d{1,2}(?::?\d{2})?)?$"
)
_MONTH_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")

EXPECTED = {
    "iso": "ISO 8601, e.g. 2026-03-02 or 2026-03-02T10:15:00",
    "google-forms": "Google Forms' 2026/03/02 10:15:00 AM GMT+1",
    "microsoft-forms": "Microsoft Forms' month-first 3/2/26 10:15:00",
    "kobotoolbox": "KoboToolbox's ISO 8601 2026-03-02T10:15:00.000+01:00",
    "limesurvey": "LimeSurvey's 2026-03-02 10:15:00",
    "eusurvey": "EUSurvey's day-first 02/03/2026 10:15",
}
DIALECTS = tuple(EXPECTED)


class DateProblem(ValueError):
    """A date that is not in the format its tool writes; the message says which format was expected."""


def _compose(year: int, month: int, day: int, clock: tuple[int, int, int] | None) -> str:
    try:
        if clock is None:
            return date(year, month, day).isoformat()
        return datetime(year, month, day, *clock).isoformat()
    except ValueError as exc:
        raise DateProblem(f"not a real date or time ({exc})") from exc


def _clock(hour: str | None, minute: str | None, second: str | None) -> tuple[int, int, int] | None:
    if hour is None:
        return None
    return int(hour), int(minute or 0), int(second or 0)


def parse_date(text: str, dialect: str) -> str:
    """ISO 8601 text (``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SS``) for a date written by ``dialect``."""
    if dialect not in EXPECTED:
        raise DateProblem(f"unknown date format {dialect!r}; known: {', '.join(DIALECTS)}")
    value = " ".join(text.split())
    iso = _ISO.match(value)
    if iso:
        y, mo, d, h, mi, s = iso.groups()
        return _compose(int(y), int(mo), int(d), _clock(h, mi, s))
    if dialect == "google-forms" and (m := _GOOGLE.match(value)):
        y, mo, d, h, mi, s, meridiem = m.groups()
        hour = int(h)
        if meridiem:
            if not 1 <= hour <= 12:
                raise DateProblem(f"hour {hour} with {meridiem.upper()}: expected 1-12")
            hour = hour % 12 + (12 if meridiem.lower() == "pm" else 0)
        return _compose(int(y), int(mo), int(d), (hour, int(mi), int(s)))
    if dialect == "microsoft-forms" and (m := _MONTH_FIRST.match(value)):
        mo, d, y, h, mi, s = m.groups()
        year = int(y) + 2000 if len(y) == 2 else int(y)
        return _compose(year, int(mo), int(d), _clock(h, mi, s))
    if dialect == "eusurvey" and (m := _DAY_FIRST.match(value)):
        d, mo, y, h, mi, s = m.groups()
        return _compose(int(y), int(mo), int(d), _clock(h, mi, s))
    raise DateProblem(f"not a date in {EXPECTED[dialect]} format; fix the cell or the mapping's date format")
