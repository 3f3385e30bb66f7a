"""The Qt-free parts of calling a particular citizen: the typed number, the undo offer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from counter_app.core.calling import UndoOffer, normalise_number


@pytest.mark.parametrize(
    ("typed", "number"),
    [("a12", "A012"), ("A 12", "A012"), (" A012 ", "A012"), ("b-7", "B007"), ("P1000", "P1000")],
)
def test_a_number_typed_as_the_citizen_says_it_is_the_printed_one(typed, number) -> None:
    assert normalise_number(typed) == number


@pytest.mark.parametrize("typed", ["", "12", "AB12", "A", "A12x"])
def test_what_is_no_ticket_number_finds_nothing(typed) -> None:
    assert normalise_number(typed) is None


def test_undo_is_offered_for_ten_minutes_to_the_second() -> None:
    marked = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    offer = UndoOffer(7, "A007", marked)
    assert offer.open_at(marked + timedelta(minutes=10))
    assert not offer.open_at(marked + timedelta(minutes=10, seconds=1))
