"""The documents each service orders: named in the site file, kept by the server, served to the
desks with the services (the clerk's "document ordered" dialog suggests them)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from central_server.admin import site_file
from central_server.db import Database
from central_server.models import Site
from tests.central_server.test_admin import EXAMPLE, db_url, run  # noqa: F401  (fixtures)
from tests.support.sites import demo_spec


def documents_by_prefix(client) -> dict[str, list[dict]]:  # type: ignore[no-untyped-def]
    answer = client.get("/sites/demo/services")
    assert answer.status_code == 200, answer.text
    return {s["prefix"]: s["documents"] for s in answer.json()}


def test_the_desk_reads_what_each_service_orders(server, kiosk) -> None:
    documents = documents_by_prefix(server.client(server.login("clerk1")))
    assert documents["B"] == [
        {"kind": "passport", "detail": "", "weeks": 4},
        {"kind": "id_card", "detail": "", "weeks": 4},
    ]
    assert [d["kind"] for d in documents["C"]] == ["residence_permit", "travel_document"]
    assert documents["A"] == [] and documents["P"] == []


def test_applying_changed_documents_changes_them_and_only_them(server) -> None:
    spec = demo_spec()
    residence = next(s for s in spec["services"] if s["prefix"] == "C")
    residence["documents"] = [
        {"kind": "residence_permit", "weeks": 8},
        {"kind": "other", "detail": "Fiktionsbescheinigung", "weeks": 0},
    ]
    changes = site_file.apply(server.db, site_file.SiteFile.model_validate(spec))
    assert changes == ["service C (residence-permit): documents updated"]
    assert documents_by_prefix(server.client(server.login("clerk1")))["C"] == [
        {"kind": "residence_permit", "detail": "", "weeks": 8},
        {"kind": "other", "detail": "Fiktionsbescheinigung", "weeks": 0},
    ]
    assert site_file.apply(server.db, site_file.SiteFile.model_validate(spec)) == []


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    return broken


def test_a_bad_document_entry_is_refused_with_the_reason_and_changes_nothing(
    db_url: str,  # noqa: F811
    run,  # noqa: F811
    tmp_path: Path,
) -> None:
    usual = '{ kind = "passport", weeks = 4 }'
    cases = [
        (
            '{ kind = "Reisepass", weeks = 4 }',
            "documents.0.kind: Input should be 'residence_permit'",
        ),
        ('{ kind = "passport", weeks = 60 }', "documents.0.weeks: Input should be less than or"),
        ('{ kind = "passport", wekks = 4 }', "documents.0.wekks: unknown key (misspelt?"),
        ('{ kind = "id_card", weeks = 2 }', "document given twice: id_card"),
    ]
    for bad, reason in cases:
        result = run("admin", "apply", str(_broken(tmp_path, usual, bad)), "--db", db_url)
        assert result.returncode == 2, (bad, result.stdout)
        assert "is not a valid site file" in result.stderr, result.stderr
        assert reason in result.stderr, result.stderr
    db = Database(db_url)
    with db.read_session() as session:
        assert session.execute(select(Site)).first() is None
    db.dispose()
