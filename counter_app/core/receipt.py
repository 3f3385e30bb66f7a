"""What a pickup receipt (Abholschein) says: in German, and again in the citizen's language.

The QR code carries the pickup's token and nothing else (no link: a phone that scans it opens
nothing); the same token is printed under it in groups of four, for typing at the kiosk. The
holder's name is not printed: the receipt must not give away more than needed if it is lost.
A line names the public page where the code tells whether the document is ready (``/p`` on the
server, as its answer gives it: ``ready_page``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date

from counter_app.core.answers import OrderedPickup
from counter_app.core.paper import Line, Size, Slip, in_groups
from resources.i18n import RIGHT_TO_LEFT, N_citizen, citizen_gettext
from resources.vocabulary import DOCUMENT_KIND_CITIZEN_LABELS, DocumentKind


@dataclass(frozen=True)
class PickupReceipt:
    site_name: str
    document_kind: str
    document_detail: str
    case_reference: str
    token: str
    language: str  # the citizen's; the receipt is German plus this
    ordered_at: datetime
    expected_ready_on: date | None = None
    #: The public "Ready yet?" page's address; no line when empty (an older server).
    ready_page: str = ""

    @classmethod
    def from_api(cls, site_name: str, pickup: OrderedPickup, language: str) -> PickupReceipt:
        """From the answer of ``POST /sites/{site}/pickups`` (the only one with the token)."""
        return cls(
            site_name=site_name,
            document_kind=pickup.document_kind,
            document_detail=pickup.document_detail,
            case_reference=pickup.case_reference,
            token=pickup.token,
            language=language,
            ordered_at=pickup.created_at,
            expected_ready_on=pickup.expected_ready_on,
            ready_page=pickup.ready_page,
        )


def _kind(document_kind: str) -> DocumentKind:
    """The kind, or "other" for one this desk does not know yet (from a newer server)."""
    try:
        return DocumentKind(document_kind)
    except ValueError:
        return DocumentKind.OTHER


def _locale(language: str) -> str:
    return "de_DE" if language == "de" else language


def receipt_slip(receipt: PickupReceipt) -> Slip:
    languages = ["de"] if receipt.language == "de" else ["de", receipt.language]

    def said(
        message: str, size: Size = Size.NORMAL, bold: bool = False, **fields: str | date
    ) -> list[Line]:
        """The message in German, then (smaller) in the citizen's language."""
        lines: list[Line] = []
        for index, language in enumerate(languages):
            values = {
                k: (format_date(v, "long", locale=_locale(language)) if isinstance(v, date) else v)
                for k, v in fields.items()
            }
            text = citizen_gettext(language)(message).format(**values)
            lines.append(
                Line(
                    text,
                    size if index == 0 else Size.SMALL,
                    bold and index == 0,
                    right_to_left=language in RIGHT_TO_LEFT,
                )
            )
        return lines

    kind = DOCUMENT_KIND_CITIZEN_LABELS[_kind(receipt.document_kind)]
    top = [Line(receipt.site_name, Size.NORMAL, bold=True)]
    top += said(N_citizen("citizen", "Pickup receipt"), Size.LARGE, bold=True)
    top += said(kind, Size.LARGE)
    if receipt.document_detail:
        top.append(Line(receipt.document_detail, Size.NORMAL))
    top += said(
        N_citizen("citizen", "Case reference: {reference}"), reference=receipt.case_reference
    )
    top += said(
        N_citizen("citizen", "Ordered on {date}"),
        Size.SMALL,
        date=receipt.ordered_at.date(),
    )
    if receipt.expected_ready_on is not None:
        top += said(
            N_citizen("citizen", "Expected to be ready from {date}"),
            bold=True,
            date=receipt.expected_ready_on,
        )
    bottom = [Line(in_groups(receipt.token), Size.NORMAL, bold=True)]
    bottom += said(
        N_citizen(
            "citizen",
            "When your document is ready, scan this receipt at the kiosk to get a number.",
        )
    )
    if receipt.ready_page:
        bottom += said(N_citizen("citizen", "Ready yet? Check with this code on the web page:"))
        # The address on a line of its own: broken after "https://" nobody would type it.
        bottom.append(Line(receipt.ready_page, Size.NORMAL, bold=True))
    bottom += said(
        N_citizen("citizen", "Please bring this receipt and your passport or ID card."),
        bold=True,
    )
    return Slip(top, receipt.token, bottom)
