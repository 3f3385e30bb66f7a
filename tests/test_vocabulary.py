"""The shared words (``resources/vocabulary.py``): every value has its label in every language
its readers need, and the served OpenAPI document lists exactly these values."""

from __future__ import annotations

from enum import Enum, StrEnum
from functools import cache
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from central_server.app import create_app
from central_server.config import ServerSettings
from resources import path
from resources.i18n import (
    CITIZEN,
    CITIZEN_LANGUAGES,
    STAFF_LANGUAGES,
    citizen_gettext,
    gettext_for,
)
from resources.vocabulary import (
    ALERT_KIND_LABELS,
    APPOINTMENT_STATE_LABELS,
    CANCEL_WHY_LABELS,
    DOCUMENT_KIND_CITIZEN_LABELS,
    DOCUMENT_KIND_LABELS,
    FEEDBACK_SCORE_LABELS,
    MAX_WEEKS,
    MISSING_RECEIPT_LABELS,
    OUTCOME_LABELS,
    PICKUP_STATUS_LABELS,
    PRIORITY_LABELS,
    SERVICE_LEVEL_LABELS,
    STOP_REASON_LABELS,
    TICKET_STATUS_LABELS,
    USUAL_WEEKS,
    AlertKind,
    AppointmentState,
    CancelWhy,
    DeskKind,
    DeviceKind,
    DocumentKind,
    FeedbackScore,
    MissingReceipt,
    Outcome,
    PickupStatus,
    PrinterState,
    Priority,
    ServiceLevel,
    StopReason,
    TicketStatus,
)

#: What staff read (German and English) and what citizens read (all six languages).
STAFF_LABELS: dict[str, tuple[type[StrEnum], dict[Any, str]]] = {
    "outcome": (Outcome, OUTCOME_LABELS),
    "document kind": (DocumentKind, DOCUMENT_KIND_LABELS),
    "ticket status": (TicketStatus, TICKET_STATUS_LABELS),
    "priority": (Priority, PRIORITY_LABELS),
    "pickup status": (PickupStatus, PICKUP_STATUS_LABELS),
    "service level": (ServiceLevel, SERVICE_LEVEL_LABELS),
    "alert kind": (AlertKind, ALERT_KIND_LABELS),
    "stop reason": (StopReason, STOP_REASON_LABELS),
    "appointment state": (AppointmentState, APPOINTMENT_STATE_LABELS),
    "missing receipt": (MissingReceipt, MISSING_RECEIPT_LABELS),
    "cancel reason": (CancelWhy, CANCEL_WHY_LABELS),
}
CITIZEN_LABELS: dict[str, tuple[type[Enum], dict[Any, str]]] = {
    "document kind": (DocumentKind, DOCUMENT_KIND_CITIZEN_LABELS),
    "feedback score": (FeedbackScore, FEEDBACK_SCORE_LABELS),
}


@cache
def _catalog(language: str) -> Catalog:
    with path("translations", f"{language}.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _untranslated(labels: dict[Any, str], language: str, context: str | None) -> list[str]:
    catalog = _catalog(language)
    missing = []
    for value, label in labels.items():
        entry = catalog.get(label, context=context)
        if entry is None or not entry.string:
            missing.append(f"{value} ({label!r})")
    return missing


@pytest.mark.parametrize("language", STAFF_LANGUAGES)
@pytest.mark.parametrize("word", STAFF_LABELS)
def test_every_value_staff_read_has_its_label_in_german_and_english(
    word: str, language: str
) -> None:
    enum, labels = STAFF_LABELS[word]
    assert list(labels) == list(enum), f"{word}: a value without a label, or one too many"
    missing = _untranslated(labels, language, None)
    assert not missing, f"{language}.po lacks the {word} labels of {missing}"


@pytest.mark.parametrize("language", CITIZEN_LANGUAGES)
@pytest.mark.parametrize("word", CITIZEN_LABELS)
def test_every_value_citizens_read_has_its_label_in_all_six_languages(
    word: str, language: str
) -> None:
    enum, labels = CITIZEN_LABELS[word]
    assert list(labels) == list(enum), f"{word}: a value without a label, or one too many"
    missing = _untranslated(labels, language, CITIZEN)
    assert not missing, f"{language}.po lacks the citizen's {word} labels of {missing}"


def test_labels_come_out_of_the_one_catalogue() -> None:
    german = gettext_for("de")
    assert german(OUTCOME_LABELS[Outcome.DOCUMENTS_MISSING]) == "Unterlagen fehlen"
    assert german(TICKET_STATUS_LABELS[TicketStatus.SERVING]) == "in Bedienung"
    assert german(PICKUP_STATUS_LABELS[PickupStatus.ORDERED]) == "Bestellt, noch nicht eingetroffen"
    turkish = citizen_gettext("tr")
    assert turkish(DOCUMENT_KIND_CITIZEN_LABELS[DocumentKind.RESIDENCE_PERMIT]) == "Oturma izni"


def test_every_document_kind_has_usual_weeks_the_site_file_accepts() -> None:
    assert list(USUAL_WEEKS) == list(DocumentKind)
    assert all(0 <= weeks <= MAX_WEEKS for weeks in USUAL_WEEKS.values())
    assert USUAL_WEEKS[DocumentKind.RESIDENCE_PERMIT] == 6


def _enum_of(document: dict[str, Any], model: str, field: str) -> list[str]:
    schema = document["components"]["schemas"][model]["properties"][field]
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return list(schema["enum"])


@pytest.mark.parametrize(
    ("model", "field", "enum"),
    [
        ("FinishRequest", "outcome", Outcome),
        ("PickupCreate", "document_kind", DocumentKind),
        ("PickupPublic", "document_kind", DocumentKind),
        ("ServiceDocument", "kind", DocumentKind),
        ("TicketPublic", "status", TicketStatus),
        ("TicketCreate", "priority", Priority),
        ("TicketPublic", "priority", Priority),
        ("PickupPublic", "status", PickupStatus),
        ("DevicePublic", "kind", DeviceKind),
        ("DeskPublic", "kind", DeskKind),
        ("PrinterReport", "state", PrinterState),
    ],
)
def test_the_served_openapi_lists_the_vocabulary(
    openapi: dict[str, Any], model: str, field: str, enum: type[StrEnum]
) -> None:
    assert _enum_of(openapi, model, field) == [member.value for member in enum]


def test_the_served_openapi_lists_the_citizen_languages(openapi: dict[str, Any]) -> None:
    assert _enum_of(openapi, "TicketCreate", "language") == list(CITIZEN_LANGUAGES)
    assert _enum_of(openapi, "TicketPublic", "language") == list(CITIZEN_LANGUAGES)


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The document the server serves at /openapi.json (the app's own, no database needed)."""
    folder = tmp_path_factory.mktemp("openapi")
    app = create_app(ServerSettings(db=f"sqlite:///{folder / 'tresen.sqlite3'}"))
    return app.openapi()
