"""Submission dates in the formats survey tools write, to ISO 8601; other formats refused, never guessed."""

from __future__ import annotations

import pytest

from vcgraph.mappings.dates import DateProblem, parse_date


@pytest.mark.parametrize(
    ("dialect", "written", "iso"),
    [
        ("google-forms", "2026/03/02 10:15:00 AM GMT+1", "2026-03-02T10:15:00"),
        ("google-forms", "2026/03/02 2:05:09 PM GMT+01:00", "2026-03-02T14:05:09"),
        ("google-forms", "2026/03/02 12:30:00 AM", "2026-03-02T00:30:00"),
        ("microsoft-forms", "3/2/26 10:15:00", "2026-03-02T10:15:00"),
        ("microsoft-forms", "12/31/2026 23:59", "2026-12-31T23:59:00"),
        ("kobotoolbox", "2026-03-02T10:15:00.000+01:00", "2026-03-02T10:15:00"),
        ("limesurvey", "2026-03-02 10:15:00", "2026-03-02T10:15:00"),
        ("eusurvey", "02/03/2026 10:15", "2026-03-02T10:15:00"),
        ("eusurvey", "02/03/2026 10:15:42", "2026-03-02T10:15:42"),
        ("iso", "2026-03-02", "2026-03-02"),
    ],
)
def test_each_tool_date_format_becomes_iso_wall_clock_time(dialect: str, written: str, iso: str) -> None:
    assert parse_date(written, dialect) == iso


def test_an_xlsx_date_cell_read_as_iso_is_accepted_by_every_tool() -> None:
    assert parse_date("2026-03-02T10:15:00", "microsoft-forms") == "2026-03-02T10:15:00"


def test_a_day_first_date_for_a_month_first_tool_is_refused_with_the_expected_format() -> None:
    with pytest.raises(DateProblem, match=r"not a date in Microsoft Forms' month-first 3/2/26 10:15:00 format"):
        parse_date("02.03.2026 10:15", "microsoft-forms")


def test_a_slash_date_for_an_iso_tool_is_refused_rather_than_guessed() -> None:
    with pytest.raises(DateProblem, match="LimeSurvey's 2026-03-02 10:15:00"):
        parse_date("03/02/2026 10:15", "limesurvey")


def test_an_impossible_date_is_refused() -> None:
    with pytest.raises(DateProblem, match="not a real date"):
        parse_date("31/02/2026 10:15", "eusurvey")


def test_an_hour_beyond_twelve_with_am_pm_is_refused() -> None:
    with pytest.raises(DateProblem, match="hour 14 with PM"):
        parse_date("2026/03/02 14:15:00 PM", "google-forms")
