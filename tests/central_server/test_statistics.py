"""The statistics of a scripted day (``tests.support.scripted_day``): exact figures through the
API, on the day itself (read from the tickets) and after it (summed up), every group and split,
and bad requests refused with a clear message."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from central_server import cli
from central_server.auth.principal import Principal, Role
from central_server.statistics import service as statistics_service
from tests.support.live_server import ApiClient, LiveServer
from tests.support.scripted_day import Clock, Played, next_day, play_day

PERIOD = {"from": "2026-11-30", "to": "2026-12-06"}
#: Reading the service in this process, as an admin would over the API.
ADMIN = Principal(kind="user", id=0, name="test", roles=frozenset({Role.ADMIN}), site_ids=None)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock().install(monkeypatch)


@pytest.fixture
def played(server: LiveServer, clock: Clock) -> Played:
    return play_day(server, clock)


@pytest.fixture
def statistik(server: LiveServer) -> ApiClient:
    return server.client(server.login("statistik"))


def stats(client: ApiClient, **params: Any) -> dict[str, Any]:
    answer = client.get("/sites/demo/statistics", params={**PERIOD, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


def expected_totals(played: Played, feedback: tuple[int, ...] = (5, 2)) -> dict[str, Any]:
    waits = {"T5": 5, "T4": 8, "T1": 26, "T2": 27, "T6": 3}
    errors = sorted(
        int(abs(played.estimate(name) - wait))
        for name, wait in waits.items()
        if played.estimate(name) is not None
    )
    return {
        "arrivals": 6,
        "served": 4,
        "no_show": 1,
        "appointment_missed": 0,
        "cancelled": 1,
        "transferred": 1,
        "wait_minutes": {"mean": 13.8, "p50": 8.0, "p80": 26.0, "p95": 27.0},
        "handling_minutes": {"mean": 8.75, "p50": 7.0, "p80": 13.0, "p95": 13.0},
        "service_level": 0.6,
        "estimate_error_minutes": {
            "p50": float(errors[(len(errors) + 1) // 2 - 1]),
            "p90": float(errors[-1]),
        },
        "kinds": {"walk_in": 4, "appointment": 1, "urgent": 1, "offline": 1},
        "outcomes": {"completed": 3, "documents_missing": 1},
        "feedback": {"count": len(feedback), "mean": round(sum(feedback) / len(feedback), 2)},
    }


def test_a_scripted_day_has_exact_figures_on_the_day_and_after(
    played: Played, statistik: ApiClient, clock: Clock
) -> None:
    # The server kept the wait the kiosk printed; an offline ticket was told none.
    for name in ("T1", "T2", "T3", "T4", "T5"):
        assert played.estimate(name) == played.tickets[name]["estimated_wait_minutes"] is not None
    assert played.estimate("T6") is None
    on_the_day = stats(statistik)
    assert on_the_day["totals"] == expected_totals(played)
    assert on_the_day["sites"] == [{"slug": "demo", "name": "Bürgeramt Demo"}]
    assert on_the_day["organisation"] is None
    assert on_the_day["service_level_goal"] == 0.8
    assert (on_the_day["from"], on_the_day["to"]) == ("2026-11-30", "2026-12-06")
    assert on_the_day["groups"] == []
    next_day(clock)
    summed = stats(statistik)
    assert summed["totals"] == on_the_day["totals"]


def test_a_change_to_a_summed_up_day_counts(
    played: Played, server: LiveServer, statistik: ApiClient, clock: Clock
) -> None:
    """A ticket left waiting in the evening, cancelled the next morning: the day it was issued
    on is summed up again."""
    kiosk = server.client("demo-kiosk")
    clock.at("18:00")
    late = kiosk.post("/sites/demo/tickets", json={"service_id": played.services["A"]}).json()
    next_day(clock)
    before = stats(statistik, group="day")["groups"]
    assert [(g["key"], g["arrivals"], g["cancelled"]) for g in before] == [("2026-12-01", 7, 1)]
    supervisor = server.client(server.login("supervisor"))
    cancelled = supervisor.post(f"/tickets/{late['id']}/cancel", json={"reason": "gone"})
    assert cancelled.status_code == 200, cancelled.text
    after = stats(statistik, group="day")["groups"]
    assert [(g["key"], g["arrivals"], g["cancelled"]) for g in after] == [("2026-12-01", 7, 2)]


def _groups(answer: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            g["key"],
            (g.get("service") or g.get("desk") or g.get("clerk") or {}).get("id"),
            g["arrivals"],
            g["served"],
            g["wait_minutes"]["mean"],
        )
        for g in answer["groups"]
    ]


@pytest.mark.parametrize("after_days", [0, 1, 40], ids=["on-the-day", "day-rows", "month-rows"])
def test_every_group_and_split(
    played: Played,
    server: LiveServer,
    statistik: ApiClient,
    clock: Clock,
    after_days: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same figures read from the tickets (on the day), from the day's summed-up rows (the
    next day), and from December's month rows (in January, for the whole of December)."""
    if after_days:
        next_day(clock, after_days)
    if after_days > 31:
        monkeypatch.setitem(PERIOD, "from", "2026-12-01")
        monkeypatch.setitem(PERIOD, "to", "2026-12-31")
        # the totals of many groups are read on their own: here, of any
        monkeypatch.setattr(statistics_service, "MANY_GROUPS", 0)
    by_day_and_service = stats(statistik, group="day", by="service")
    assert by_day_and_service["totals"] == expected_totals(played)
    s, d = played.services, played.desks
    assert _groups(by_day_and_service) == [
        ("2026-12-01", s["A"], 3, 2, 4.0),
        ("2026-12-01", s["C"], 1, 0, 8.0),
        ("2026-12-01", s["B"], 2, 2, 26.5),
    ]
    # Summed up, each group's figures are those its row wrote then: the same as made anew.
    assert server.db is not None
    made = statistics_service.site_statistics(
        server.db, "demo", ADMIN, PERIOD["from"], PERIOD["to"], "day", "service", None, None
    )
    assert by_day_and_service["groups"] == made["groups"]
    assert _groups(stats(statistik, group="day")) == [("2026-12-01", None, 6, 4, 13.8)]
    assert _groups(stats(statistik, group="week")) == [("2026-W49", None, 6, 4, 13.8)]
    assert _groups(stats(statistik, group="month")) == [("2026-12", None, 6, 4, 13.8)]
    assert _groups(stats(statistik, group="weekday")) == [("2", None, 6, 4, 13.8)]
    # T1..T5 issued at 8, T6 printed at 9 (local time)
    assert _groups(stats(statistik, group="hour")) == [
        ("08", None, 5, 3, 16.5),
        ("09", None, 1, 1, 3.0),
    ]
    assert _groups(stats(statistik, group="weekday_hour")) == [
        ("2-08", None, 5, 3, 16.5),
        ("2-09", None, 1, 1, 3.0),
    ]
    # by service (a ticket counts for its last service: T1 was moved to B); sorted by name
    by_service = stats(statistik, by="service")
    assert _groups(by_service) == [
        (None, s["A"], 3, 2, 4.0),  # Anmeldung: T3 (cancelled), T5, T6
        (None, s["C"], 1, 0, 8.0),  # Aufenthaltstitel: T4
        (None, s["B"], 2, 2, 26.5),  # Personalausweis: T2, T1
    ]
    assert by_service["groups"][0]["service"]["prefix"] == "A"
    assert by_service["groups"][0]["service"]["name"] == "Anmeldung und Ummeldung"
    assert _groups(stats(statistik, by="desk")) == [
        (None, None, 1, 0, None),  # T3 never reached a desk
        (None, d["1"], 3, 3, 11.67),  # T5, T2, T6
        (None, d["2"], 2, 1, 17.0),  # T4, T1
    ]
    # by desk and in time (the supervisor's charts split by desk): from day rows, month rows
    by_day_and_desk = stats(statistik, group="day", by="desk")
    assert _groups(by_day_and_desk) == [
        ("2026-12-01", None, 1, 0, None),
        ("2026-12-01", d["1"], 3, 3, 11.67),
        ("2026-12-01", d["2"], 2, 1, 17.0),
    ]
    made_by_desk = statistics_service.site_statistics(
        server.db, "demo", ADMIN, PERIOD["from"], PERIOD["to"], "day", "desk", None, None
    )
    assert by_day_and_desk["groups"] == made_by_desk["groups"]
    by_hour_and_desk = [
        ("08", None, 1, 0, None),  # T3
        ("08", d["1"], 2, 2, 16.0),  # T5, T2
        ("08", d["2"], 2, 1, 17.0),  # T4, T1
        ("09", d["1"], 1, 1, 3.0),  # T6
    ]
    assert _groups(stats(statistik, group="hour", by="desk")) == by_hour_and_desk
    assert _groups(stats(statistik, group="weekday_hour", by="desk")) == [
        (f"2-{hour}", *rest) for hour, *rest in by_hour_and_desk
    ]
    assert _groups(stats(statistik, group="week", by="desk"))[1] == (
        "2026-W49",
        d["1"],
        3,
        3,
        11.67,
    )
    by_hour_and_service = [
        ("08", s["A"], 2, 1, 5.0),
        ("08", s["C"], 1, 0, 8.0),
        ("08", s["B"], 2, 2, 26.5),
        ("09", s["A"], 1, 1, 3.0),
    ]
    assert _groups(stats(statistik, group="hour", by="service")) == by_hour_and_service
    assert _groups(stats(statistik, group="weekday_hour", by="service")) == [
        (f"2-{hour}", *rest) for hour, *rest in by_hour_and_service
    ]
    only_a = stats(statistik, service=s["A"])["totals"]
    assert (only_a["arrivals"], only_a["served"], only_a["cancelled"]) == (3, 2, 1)
    only_desk_2 = stats(statistik, desk=d["2"], group="hour")
    assert _groups(only_desk_2) == [("08", None, 2, 1, 17.0)]
    assert stats(statistik, desk=d["2"], service=s["B"])["totals"]["arrivals"] == 1


def test_each_group_adds_up_month_rows_day_rows_and_today(
    server: LiveServer, clock: Clock, statistik: ApiClient
) -> None:
    """A heat map by desk over six weeks: December from its month rows, the 5th of January from
    its day row and the 12th (today) from the tickets. The same day played on four Tuesdays:
    each group (an hour, or a weekday and hour, at a desk) counts four times its tickets, with
    the same mean wait, however its rows came."""
    tuesdays = [date(2026, 12, 1), date(2026, 12, 8), date(2027, 1, 5), date(2027, 1, 12)]
    for day in tuesdays:
        played = play_day(server, clock, day)
    d = played.desks
    period = {"from": "2026-12-01", "to": "2027-01-12"}
    one_day = [
        ("08", None, 1, 0, None),  # T3 never reached a desk
        ("08", d["1"], 2, 2, 16.0),  # T5, T2
        ("08", d["2"], 2, 1, 17.0),  # T4, T1
        ("09", d["1"], 1, 1, 3.0),  # T6
    ]
    four_days = [
        (hour, desk, 4 * arrivals, 4 * served, wait)
        for hour, desk, arrivals, served, wait in one_day
    ]
    for group, key in (("hour", "{}"), ("weekday_hour", "2-{}")):
        answer = statistik.get(
            "/sites/demo/statistics", params={**period, "group": group, "by": "desk"}
        )
        assert answer.status_code == 200, answer.text
        assert _groups(answer.json()) == [(key.format(hour), *rest) for hour, *rest in four_days]
        assert answer.json()["totals"]["arrivals"] == 24


def test_figures_per_clerk_only_where_the_site_file_allows_them(
    played: Played, server: LiveServer, statistik: ApiClient, clock: Clock
) -> None:
    refused = statistik.get("/sites/demo/statistics", params={**PERIOD, "by": "clerk"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "staff_statistics_off"
    from central_server.admin import site_file
    from tests.support.sites import demo_spec

    spec = demo_spec()
    spec["site"]["staff_statistics"] = True
    assert server.db is not None
    site_file.apply(server.db, site_file.SiteFile.model_validate(spec))
    by_clerk = stats(statistik, by="clerk")
    c = played.clerks
    assert [(g["clerk"]["id"], g["clerk"]["name"], g["arrivals"]) for g in by_clerk["groups"]] == [
        (None, "", 1),  # T3, cancelled in the queue: no clerk served it
        (c["clerk1"], "Sachbearbeitung 1", 3),
        (c["clerk2"], "Sachbearbeitung 2", 2),
    ]
    by_clerk_and_hour = stats(statistik, by="clerk", group="hour")
    assert [(g["key"], g["clerk"]["id"], g["arrivals"]) for g in by_clerk_and_hour["groups"]] == [
        ("08", None, 1),
        ("08", c["clerk1"], 2),
        ("08", c["clerk2"], 2),
        ("09", c["clerk1"], 1),
    ]
    # the next day the figures per clerk come from the summed-up rows: the same
    next_day(clock)
    assert stats(statistik, by="clerk") == by_clerk
    assert stats(statistik, by="clerk", group="hour") == by_clerk_and_hour
    assert stats(statistik, by="clerk", group="day")["groups"] == [
        {**g, "key": "2026-12-01"} for g in by_clerk["groups"]
    ]
    assert _clerk_rows(server) > 0
    # switched off again (the staff council withdrew): the figures per clerk are gone at once,
    # and summing the past up again keeps none
    spec["site"]["staff_statistics"] = False
    site_file.apply(server.db, site_file.SiteFile.model_validate(spec))
    assert _clerk_rows(server) == 0
    assert stats(statistik)["totals"] == expected_totals(played)
    assert _clerk_rows(server) == 0
    refused = statistik.get("/sites/demo/statistics", params={**PERIOD, "by": "clerk"})
    assert refused.json()["code"] == "staff_statistics_off"


def _clerk_rows(server: LiveServer) -> int:
    """Summed-up rows per clerk of any site."""
    from sqlalchemy import func, select

    from central_server.models import Figure
    from central_server.statistics.figures import CLERK_LEVELS

    assert server.db is not None
    with server.db.read_session() as session:
        query = select(func.count()).where(Figure.level.in_(CLERK_LEVELS))
        return int(session.scalar(query) or 0)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2026-12-06", "to": "2026-12-01"}, "period_reversed"),
        ({"from": "2026-12-01", "to": "2027-12-02"}, "period_too_long"),
        ({"from": "1.12.2026", "to": "2026-12-02"}, "bad_date"),
        ({"from": "2026-12-01", "to": "2026-02-30"}, "bad_date"),
        ({"from": "2026-12-01", "to": "2026-12-02", "service": 999999}, "unknown_service"),
        ({"from": "2026-12-01", "to": "2026-12-02", "desk": 999999}, "unknown_desk"),
        ({"from": "2026-12-01", "to": "2026-12-02", "group": "year"}, "invalid_input"),
        ({"to": "2026-12-02"}, "invalid_input"),
    ],
)
def test_bad_requests_are_refused_with_a_clear_message(
    statistik: ApiClient, params: dict[str, Any], code: str
) -> None:
    answer = statistik.get(
        "/sites/demo/statistics", params=params, headers={"Accept-Language": "en"}
    )
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["code"] == code
    assert body["message"]
    if code == "period_reversed":
        assert body["message"] == "The period begins (2026-12-06) after it ends (2026-12-01)."
    if code == "period_too_long":
        assert body["message"] == (
            "The period is 367 days long; at most 366 days can be read at once."
        )


def test_a_year_is_the_longest_period(statistik: ApiClient) -> None:
    answer = statistik.get(
        "/sites/demo/statistics", params={"from": "2025-12-05", "to": "2026-12-05"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["totals"]["arrivals"] == 0
    assert answer.json()["totals"]["wait_minutes"]["mean"] is None


def _report(server: LiveServer, tmp_path: Path, fmt: str, *extra: str) -> Path:
    out = tmp_path / f"report.{fmt}"
    code = cli.main(
        [
            "admin",
            "report",
            "--db",
            server.database_url,
            "--site",
            "demo",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-31",
            "--format",
            fmt,
            "--out",
            str(out),
            *extra,
        ]
    )
    assert code == 0
    return out


def _rows(sheet: Any) -> list[list[Any]]:
    """The sheet's rows, without the empty cells the sheet's width adds at their ends."""
    rows = []
    for row in sheet.iter_rows(values_only=True):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        rows.append(values)
    return rows


#: The totals row's first columns: arrivals .. wait p95, handling mean .. p95, service level.
TOTALS_START = [6, 4, 1, 1, 1, 13.8, 8.0, 26.0, 27.0, 8.75, 7.0, 13.0, 13.0, 0.6]


def test_the_report_as_xlsx_has_the_same_figures(
    played: Played, server: LiveServer, clock: Clock, tmp_path: Path
) -> None:
    next_day(clock)
    book = openpyxl.load_workbook(_report(server, tmp_path, "xlsx"))
    assert book.sheetnames == ["Summen", "Je Tag", "Je Anliegen", "Je Stunde"]
    totals = _rows(book["Summen"])
    assert totals[0] == ["Tresen-Statistik", "Bürgeramt Demo (demo)"]
    assert totals[1] == ["Zeitraum", "2026-12-01 – 2026-12-31"]
    headings, row = totals[3], totals[4]
    assert headings[:3] == ["Zeitraum", "Ankünfte", "Bedient"]
    assert row[0] == "2026-12-01 – 2026-12-31"
    assert row[1:15] == TOTALS_START
    assert row[headings.index("Ergebnis: erledigt")] == 3
    assert row[headings.index("Feedback, Antworten")] == 2
    per_hour = _rows(book["Je Stunde"])[4:]
    assert [(r[0], r[1], r[2]) for r in per_hour] == [("08", 5, 3), ("09", 1, 1)]
    per_service = _rows(book["Je Anliegen"])[4:]
    assert [(r[0], r[1], r[3]) for r in per_service] == [
        ("demo", "A", 3),
        ("demo", "C", 1),
        ("demo", "B", 2),
    ]
    per_day = _rows(book["Je Tag"])[4:]
    assert [(r[0], r[1]) for r in per_day] == [("2026-12-01", 6)]


def test_the_report_as_csv_in_english(
    played: Played, server: LiveServer, clock: Clock, tmp_path: Path
) -> None:
    next_day(clock)
    text = _report(server, tmp_path, "csv", "--language", "en").read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0] == ["Tresen statistics", "Bürgeramt Demo (demo)"]
    assert lines[1] == ["Period", "2026-12-01 – 2026-12-31"]
    titles = [line[0] for line in lines if line and line[0].startswith("# ")]
    assert titles == ["# Totals", "# Per day", "# Per service", "# Per hour"]
    totals = lines[lines.index(["# Totals"]) + 2]
    assert [float(v) for v in totals[1:15]] == TOTALS_START
    per_hour = lines[lines.index(["# Per hour"]) + 2 :]
    assert [(r[0], r[1]) for r in per_hour] == [("08", "5"), ("09", "1")]


def test_a_bad_report_request_says_why_and_writes_nothing(
    server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.xlsx"
    base = ["admin", "report", "--db", server.database_url, "--format", "xlsx", "--out", str(out)]
    for extra, message in (
        (["--site", "demo", "--from", "2026-12-31", "--to", "2026-12-01"], "beginnt"),
        (["--site", "nowhere", "--from", "2026-12-01", "--to", "2026-12-02"], "nowhere"),
        (["--organisation", "x", "--from", "2026-12-01", "--to", "2026-12-02"], "x"),
    ):
        assert cli.main([*base, *extra]) == 2
        assert message in capsys.readouterr().err
    assert not out.exists()


def test_the_figures_can_be_summed_up_ahead(
    played: Played, server: LiveServer, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    """After an upgrade, IT sums up the finished days before anyone asks."""
    next_day(clock)
    base = ["admin", "sum-up-figures", "--db", server.database_url]
    assert cli.main(base) == 0
    assert "demo: summed up until 2026-12-01" in capsys.readouterr().out
    assert cli.main([*base, "--site", "nowhere"]) == 2
    assert "nowhere" in capsys.readouterr().err


def test_rows_summed_up_before_their_figures_were_kept_answer_the_same(
    played: Played,
    server: LiveServer,
    statistik: ApiClient,
    clock: Clock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Rows summed up by a server before 0017 kept no written figures: a request makes them as
    before (the same answer), and ``sum-up-figures`` (upgrade step 5) writes them."""
    from sqlalchemy import func, select, update

    from central_server.models import Figure

    next_day(clock)
    kept = stats(statistik, group="day", by="service")
    assert server.db is not None

    def without_figures() -> int:
        with server.db.read_session() as session:
            return session.scalar(
                select(func.count()).where(Figure.level == 2, Figure.answer.is_(None))
            )

    with server.db.write_session() as session:
        session.execute(update(Figure).values(answer=None))
    assert without_figures() == 3  # a day of three services
    assert stats(statistik, group="day", by="service") == kept
    assert cli.main(["admin", "sum-up-figures", "--db", server.database_url]) == 0
    capsys.readouterr()
    assert without_figures() == 0
    assert stats(statistik, group="day", by="service") == kept
