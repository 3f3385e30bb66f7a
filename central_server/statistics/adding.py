"""Summed-up rows added up by group as arrays (numpy), not row by row.

An organisation's year split by weekday, hour and desk adds about 100,000 month rows, each
with 15 counts and some 30 histogram bars; added up in Python loops (``Cell.add_counts`` and
``Cell.add_packed``, a dictionary update per bar) that was 0.8 s of a 1.2 s request
(bench/README.md, issue 14). Here the counts of each group are summed with ``bincount`` and
the bars of the groups of several rows with one ``bincount`` over (group, bar) pairs, in
slices of groups that keep its table small.

A group of one row keeps that row's packed histograms as they came (a year by day and desk is
47,000 groups of one row each: nothing to add). The result's histograms are packed as
``figures.pack`` packs them: (bar, count) pairs in ascending order of bar.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Bytes of one (bar, count) pair in a packed histogram (two unsigned 32-bit numbers).
_PAIR = 8
#: At most this many (group, bar) cells in one slice's table (8 bytes each: 32 MB).
_TABLE_CELLS = 1 << 22


def add_up(
    group_of_row: Sequence[int],
    groups: int,
    count_columns: Sequence[Sequence[float]],
    packed: Sequence[bytes],
    table_cells: int = _TABLE_CELLS,
) -> tuple[list[list[float]], list[bytes]]:
    """Add up rows by group: row ``i`` belongs to group ``group_of_row[i]`` (0 ..
    ``groups`` - 1, each group has a row); ``count_columns`` holds each count's column,
    ``packed`` each row's packed histograms. Returns each group's counts (in the order of
    the columns) and its packed histograms. ``table_cells``: see :data:`_TABLE_CELLS`."""
    rows = np.asarray(group_of_row, dtype=np.intp)
    sums = np.column_stack(
        [
            np.bincount(rows, weights=np.asarray(column, dtype=np.float64), minlength=groups)
            for column in count_columns
        ]
    )
    histograms: list[bytes] = [b""] * groups
    rows_in_group = np.bincount(rows, minlength=groups)
    alone = rows_in_group[rows] == 1
    for row, group in zip(np.flatnonzero(alone).tolist(), rows[alone].tolist(), strict=True):
        histograms[group] = packed[row]
    together = np.flatnonzero(~alone)
    if together.size:
        _add_bars(rows, together, packed, histograms, table_cells)
    return sums.tolist(), histograms


def _add_bars(
    rows: np.ndarray,
    together: np.ndarray,
    packed: Sequence[bytes],
    histograms: list[bytes],
    table_cells: int,
) -> None:
    """Add the bars of the rows ``together`` (of groups of several rows) into ``histograms``."""
    order = together[np.argsort(rows[together], kind="stable")]  # a group's rows side by side
    blobs = [packed[row] for row in order.tolist()]
    lengths = np.fromiter(map(len, blobs), dtype=np.intp, count=len(blobs)) // _PAIR
    pairs = np.frombuffer(b"".join(blobs), dtype=np.uint32).reshape(-1, 2)
    if not pairs.size:
        return  # no bars at all (rows of missed appointments only): the groups keep b""
    bars, counts = pairs[:, 0], pairs[:, 1].astype(np.float64)
    # the groups as 0 .. n - 1 in ascending order, and each bar's group among them
    group_ids = np.unique(rows[together])
    number_of = np.zeros(int(group_ids[-1]) + 1, dtype=np.intp)
    number_of[group_ids] = np.arange(group_ids.size)
    bar_group = np.repeat(number_of[rows[order]], lengths)
    # the bars found, in ascending order, and each bar's place among them
    place = np.zeros(int(bars.max()) + 1, dtype=np.intp)
    place[bars] = 1
    found = np.flatnonzero(place)
    place[found] = np.arange(found.size)
    bar_place = place[bars]
    width = found.size
    per_slice = max(1, table_cells // width)
    for first in range(0, group_ids.size, per_slice):
        end = min(first + per_slice, group_ids.size)
        start, stop = np.searchsorted(bar_group, (first, end))
        cells = (bar_group[start:stop] - first) * width + bar_place[start:stop]
        table = np.bincount(cells, weights=counts[start:stop], minlength=(end - first) * width)
        nonzero = np.flatnonzero(table)
        out = np.empty((nonzero.size, 2), dtype=np.uint32)
        out[:, 0] = found[nonzero % width]
        out[:, 1] = table[nonzero]
        data = out.tobytes()
        bounds = (np.searchsorted(nonzero // width, np.arange(end - first + 1)) * _PAIR).tolist()
        for at, group in enumerate(group_ids[first:end].tolist()):
            histograms[group] = data[bounds[at] : bounds[at + 1]]
