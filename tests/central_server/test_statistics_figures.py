"""How figures add up (``central_server/statistics/figures.py``), checked against the plain
definitions: a supervisor reads the same median wait whether the day was read from the tickets
or from summed-up rows, and whether a month came as one row or as thirty."""

from __future__ import annotations

import math
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from central_server.statistics import adding
from central_server.statistics.figures import (
    COUNTS,
    ESTIMATE_ERROR,
    FEEDBACK,
    HANDLING,
    OUTCOME,
    OUTCOME_WORDS,
    SUMS,
    WAIT,
    Cell,
    Fact,
    bar,
)

DAY = date(2026, 12, 3)
NAMES = (*COUNTS, *SUMS)

facts = st.builds(
    lambda wait, handling, error, feedback, outcome: Fact(
        day=DAY,
        hour=9,
        service_id=1,
        desk_id=1,
        clerk_id=0,
        counts={
            "arrivals": 1,
            "walk_in": 1,
            **({"called": 1, "wait_seconds": wait * 60} if wait is not None else {}),
            **({"served": 1, "handled": 1, "handling_seconds": handling * 60} if handling else {}),
        },
        bars=[
            *([bar(WAIT, wait)] if wait is not None else []),
            *([bar(HANDLING, handling)] if handling else []),
            *([bar(ESTIMATE_ERROR, error)] if error is not None else []),
            *([bar(FEEDBACK, feedback)] if feedback is not None else []),
            *([bar(OUTCOME, outcome)] if outcome is not None else []),
        ],
    ),
    wait=st.none() | st.integers(0, 240),
    handling=st.none() | st.integers(0, 90),
    error=st.none() | st.integers(0, 120),
    feedback=st.none() | st.integers(1, 5),
    outcome=st.none() | st.integers(0, len(OUTCOME_WORDS) - 1),
)


def nearest_rank(values: list[int], p: int) -> float | None:
    """The textbook nearest-rank percentile: the value at rank ceil(p/100 * n)."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(1, math.ceil(p * len(ordered) / 100)) - 1])


def values_of(facts: list[Fact], measure: int) -> list[int]:
    return [code & 0xFFFF for one in facts for code in one.bars if code >> 16 == measure]


def summed_row(facts: list[Fact]) -> tuple[dict[str, float], bytes]:
    """What a summed-up row keeps of these facts: counts and packed bars."""
    cell = Cell()
    for one in facts:
        cell.add_fact(one)
    return cell.counts, cell.packed()


@settings(max_examples=200, deadline=None)
@given(st.lists(facts, max_size=60), st.data())
def test_figures_are_the_same_from_tickets_and_from_rows_however_they_are_cut(
    some: list[Fact], data: st.DataObject
) -> None:
    from_tickets = Cell()
    for one in some:
        from_tickets.add_fact(one)
    # the same tickets in summed-up rows, cut anywhere (a day row, a month of rows)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(some)), max_size=4)))
    pieces = [some[a:b] for a, b in zip([0, *cuts], [*cuts, len(some)], strict=True)]
    from_rows = Cell()
    for piece in pieces:
        counts, packed = summed_row(piece)
        from_rows.add_counts(counts.items())
        from_rows.add_packed(packed)
    # and a total over cells, as the answer's totals are made
    merged = Cell()
    for piece in pieces:
        counts, packed = summed_row(piece)
        one_row = Cell()
        one_row.add_counts(counts.items())
        one_row.add_packed(packed)
        merged.merge(one_row)

    answer = from_tickets.answer()
    assert from_rows.answer() == answer
    assert merged.answer() == answer
    for measure, name, ps in (
        (WAIT, "wait_minutes", (50, 80, 95)),
        (HANDLING, "handling_minutes", (50, 80, 95)),
        (ESTIMATE_ERROR, "estimate_error_minutes", (50, 90)),
    ):
        values = values_of(some, measure)
        for p in ps:
            assert answer[name][f"p{p}"] == nearest_rank(values, p), (name, p)
    scores = values_of(some, FEEDBACK)
    assert answer["feedback"]["count"] == len(scores)
    expected_mean = round(sum(scores) / len(scores), 2) if scores else None
    assert answer["feedback"]["mean"] == expected_mean
    outcomes = values_of(some, OUTCOME)
    assert answer["outcomes"] == {
        OUTCOME_WORDS[n]: outcomes.count(n) for n in sorted(set(outcomes))
    }


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(facts, max_size=25), min_size=1, max_size=6), st.data())
def test_rows_added_up_as_arrays_give_the_figures_of_their_tickets(
    groups: list[list[Fact]], data: st.DataObject
) -> None:
    """An organisation's heat map by desk adds month rows as arrays (``adding.add_up``): each
    group answers exactly as its tickets do, whether it came as one row or many, in any order,
    in one slice of the table or several."""
    rows: list[tuple[int, dict[str, float], bytes]] = []
    for number, some in enumerate(groups):
        cuts = sorted(data.draw(st.lists(st.integers(0, len(some)), max_size=3)))
        for a, b in zip([0, *cuts], [*cuts, len(some)], strict=True):
            counts, packed = summed_row(some[a:b])
            rows.append((number, counts, packed))
    rows = data.draw(st.permutations(rows))
    table_cells = data.draw(st.sampled_from([1, 7, 300, 1 << 22]))

    sums, histograms = adding.add_up(
        [number for number, _, _ in rows],
        len(groups),
        [[counts.get(name, 0) for _, counts, _ in rows] for name in NAMES],
        [packed for _, _, packed in rows],
        table_cells=table_cells,
    )

    for number, some in enumerate(groups):
        from_tickets = Cell()
        for one in some:
            from_tickets.add_fact(one)
        added = Cell()
        added.add_counts(zip(NAMES, sums[number], strict=True))
        added.add_packed(histograms[number])
        assert added.answer() == from_tickets.answer()
        assert histograms[number] == from_tickets.packed()  # as a summed-up row keeps them
