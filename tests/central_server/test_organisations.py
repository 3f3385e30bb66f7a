"""Organisations: a site file names who the site works for; supervisors and statistics users
read the figures of their organisation's sites and nothing of another organisation's. Tested
as a matrix of roles x (own site, the same organisation's other site, another organisation),
on both databases."""

from __future__ import annotations

from typing import Any

import pytest

from central_server.admin import site_file
from tests.support.live_server import ApiClient, LiveServer
from tests.support.sites import demo_spec, names

PERIOD = {"from": "2026-01-01", "to": "2026-12-31"}


def _site(slug: str, prefix: str, organisation: dict[str, str]) -> dict[str, Any]:
    return {
        "site": {"slug": slug, "name": f"Bürgeramt {slug}"},
        "organisation": organisation,
        "services": [{"key": "registration", "prefix": prefix, "names": names("Anmeldung")}],
        "desks": [{"code": f"{prefix}1", "services": [prefix]}],
        "users": [
            {"username": f"{slug}-tl", "roles": ["supervisor"], "password": "demo"},
            {"username": f"{slug}-stat", "roles": ["statistics"], "password": "demo"},
        ],
        "devices": [{"name": f"{slug}-kiosk", "kind": "kiosk", "token": f"{slug}-kiosk-token"}],
    }


KOELN = {"slug": "koeln", "name": "Stadt Köln"}
BONN = {"slug": "bonn", "name": "Bundesstadt Bonn"}


@pytest.fixture
def city(server: LiveServer) -> LiveServer:
    """demo and koeln-sued work for Köln, bonn-mitte for Bonn; an admin; one ticket at demo,
    two at koeln-sued, three at bonn-mitte."""
    assert server.db is not None
    spec = demo_spec()
    spec["organisation"] = KOELN
    spec["users"].append({"username": "it", "roles": ["admin"], "password": "demo"})
    for data in (spec, _site("koeln-sued", "S", KOELN), _site("bonn-mitte", "M", BONN)):
        site_file.apply(server.db, site_file.SiteFile.model_validate(data))
    for slug, token, count in (
        ("demo", "demo-kiosk", 1),
        ("koeln-sued", "koeln-sued-kiosk-token", 2),
        ("bonn-mitte", "bonn-mitte-kiosk-token", 3),
    ):
        kiosk = server.client(token)
        service = kiosk.get(f"/sites/{slug}/services").json()[0]["id"]
        for _ in range(count):
            answer = kiosk.post(f"/sites/{slug}/tickets", json={"service_id": service})
            assert answer.status_code == 201, answer.text
    return server


def _client(server: LiveServer, who: str) -> ApiClient:
    if who in ("demo-kiosk", "demo-display"):
        return server.client(who)
    return server.client(server.login(who))


#: Who asks (all of site demo, but the admin), and what they may read.
READERS = ["supervisor", "statistik", "it"]
REFUSED = ["clerk1", "pickup1", "demo-kiosk", "demo-display"]


#: (path, what it covers, arrivals, who of READERS may read it)
MATRIX = [
    ("/sites/demo/statistics", {}, 1, {"supervisor", "statistik", "it"}),  # own site
    ("/sites/koeln-sued/statistics", {}, 2, {"supervisor", "statistik", "it"}),  # same org.
    ("/sites/bonn-mitte/statistics", {}, 3, {"it"}),  # another organisation
    ("/statistics", {"organisation": "koeln"}, 3, {"supervisor", "statistik", "it"}),
    ("/statistics", {"organisation": "bonn"}, 3, {"it"}),
]


@pytest.mark.parametrize("who", READERS + REFUSED)
def test_who_reads_what(city: LiveServer, who: str) -> None:
    """Each of site demo's roles (and the admin) against its own site, the same
    organisation's other site, another organisation's site, and both organisations."""
    client = _client(city, who)
    for path, params, arrivals, readable_by in MATRIX:
        answer = client.get(path, params={**PERIOD, **params})
        if who in readable_by:
            assert answer.status_code == 200, (path, params, answer.text)
            body = answer.json()
            assert body["totals"]["arrivals"] == arrivals
            if path == "/statistics":
                expected = KOELN if params["organisation"] == "koeln" else BONN
                assert body["organisation"] == expected
        else:
            assert answer.status_code == 403, (path, params, answer.text)
            assert answer.json()["code"] in (
                "forbidden_role",
                "forbidden_site",
                "forbidden_organisation",
            )
            assert "arrivals" not in answer.text


def test_a_bonn_user_sees_nothing_of_koeln(city: LiveServer) -> None:
    bonn = _client(city, "bonn-mitte-stat")
    assert bonn.get("/sites/bonn-mitte/statistics", params=PERIOD).status_code == 200
    for path, params in (
        ("/sites/demo/statistics", PERIOD),
        ("/sites/koeln-sued/statistics", PERIOD),
        ("/statistics", {**PERIOD, "organisation": "koeln"}),
        ("/statistics", {**PERIOD, "organisation": "nowhere"}),
    ):
        answer = bonn.get(path, params=params)
        assert answer.status_code == 403, (path, answer.text)


def test_an_organisation_report_covers_its_sites_or_those_named(city: LiveServer) -> None:
    statistik = _client(city, "statistik")
    whole = statistik.get("/statistics", params={**PERIOD, "organisation": "koeln"}).json()
    assert whole["sites"] == [
        {"slug": "demo", "name": "Bürgeramt Demo"},
        {"slug": "koeln-sued", "name": "Bürgeramt koeln-sued"},
    ]
    by_service = statistik.get(
        "/statistics", params={**PERIOD, "organisation": "koeln", "by": "service"}
    ).json()
    assert sorted((g["service"]["site"], g["arrivals"]) for g in by_service["groups"]) == [
        ("demo", 1),
        ("koeln-sued", 2),
    ]
    one = statistik.get(
        "/statistics", params={**PERIOD, "organisation": "koeln", "sites": "koeln-sued"}
    ).json()
    assert (one["sites"], one["totals"]["arrivals"]) == (
        [{"slug": "koeln-sued", "name": "Bürgeramt koeln-sued"}],
        2,
    )
    stranger = statistik.get(
        "/statistics", params={**PERIOD, "organisation": "koeln", "sites": "bonn-mitte"}
    )
    assert stranger.status_code == 422
    assert stranger.json()["code"] == "site_not_in_organisation"
    unknown = _client(city, "it").get("/statistics", params={**PERIOD, "organisation": "x"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "organisation_not_found")


def test_the_site_file_keeps_the_organisation(city: LiveServer) -> None:
    assert city.db is not None
    spec = demo_spec()
    spec["organisation"] = KOELN
    spec["users"].append({"username": "it", "roles": ["admin"], "password": "demo"})
    assert site_file.apply(city.db, site_file.SiteFile.model_validate(spec)) == []
    spec["organisation"] = {"slug": "Köln!", "name": "x"}
    with pytest.raises(Exception, match=r"organisation\.slug"):
        site_file.SiteFile.model_validate(spec)
