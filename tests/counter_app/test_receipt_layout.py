"""What the printed pickup receipt says about the "Ready yet?" page (Qt-free: the slip's lines):
the sentence in German and in the citizen's language, then the address on a line of its own;
nothing when the server named no page (an older server)."""

from __future__ import annotations

from datetime import UTC, datetime

from counter_app.core.receipt import PickupReceipt, receipt_slip

TOKEN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def receipt(language: str, ready_page: str) -> PickupReceipt:
    return PickupReceipt(
        site_name="Bürgeramt Demo",
        document_kind="passport",
        document_detail="",
        case_reference="AZ-1",
        token=TOKEN,
        language=language,
        ordered_at=datetime(2026, 12, 4, 10, tzinfo=UTC),
        ready_page=ready_page,
    )


def test_the_receipt_names_the_ready_page_in_both_languages() -> None:
    lines = receipt_slip(receipt("ar", "https://buergeramt.example/p")).bottom
    texts = [line.text for line in lines]
    at = texts.index("Schon abholbereit? Mit diesem Code auf der Webseite prüfen:")
    assert texts[at + 1] == "هل هي جاهزة؟ تحقّق بهذا الرمز على صفحة الويب:"
    assert lines[at + 1].right_to_left
    assert texts[at + 2] == "https://buergeramt.example/p"
    assert lines[at + 2].bold and not lines[at + 2].right_to_left


def test_without_a_page_there_is_no_such_line() -> None:
    texts = [line.text for line in receipt_slip(receipt("de", "")).bottom]
    assert not any("Webseite" in text or "/p" in text for text in texts)
