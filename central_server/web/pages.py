"""The HTML of the waiting-room pages, from the templates in ``templates/``.

Every value is escaped here; the data a page's script needs travels as JSON in a
``<script type="application/json">`` block, so no page runs inline script (the pages are served
with a Content-Security-Policy that forbids it).
"""

from __future__ import annotations

import html
import json
from datetime import date, datetime
from functools import cache
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_date

from central_server.models import Site
from central_server.pickups.service import ReceiptState
from central_server.web import service, texts
from resources.i18n import NATIVE_NAMES, citizen_gettext, gettext_for
from resources.vocabulary import FEEDBACK_SCORE_LABELS, FeedbackScore

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def _json(data: Any) -> str:
    """JSON safe inside a <script> block."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _render(name: str, raw: dict[str, str] | None = None, **values: Any) -> str:
    escaped = {k: html.escape(str(v)) for k, v in values.items()}
    return _template(name).substitute(escaped, **(raw or {}))


def _paragraphs(lines: list[str]) -> str:
    return "".join(f"<p>{html.escape(line)}</p>" for line in lines)


def _both(message: str, citizen: bool = True) -> tuple[str, str]:
    """``message`` in the display's language and in its second language (empty when the
    same)."""
    first_lang, second_lang = service.DISPLAY_LANGUAGE, service.DISPLAY_SECOND_LANGUAGE
    if citizen:
        first, second = citizen_gettext(first_lang)(message), citizen_gettext(second_lang)(message)
    else:
        first, second = gettext_for(first_lang)(message), gettext_for(second_lang)(message)
    return first, ("" if second == first else second)


def display(slug: str, site: Site, speak: bool) -> str:
    staff = gettext_for(service.DISPLAY_LANGUAGE)
    staff_second = gettext_for(service.DISPLAY_SECOND_LANGUAGE)
    values: dict[str, str] = {}
    for key, message in (
        ("now_calling", texts.NOW_CALLING),
        ("recent", texts.RECENT_CALLS),
        ("waiting", texts.PEOPLE_WAITING),
        ("appears_here", texts.NUMBER_APPEARS_HERE),
        ("connection_lost", texts.CONNECTION_LOST),
    ):
        values[key], values[f"{key}_second"] = _both(message)
    how_to = texts.DISPLAY_HOW_TO_SIGN_IN
    return _render(
        "display.html",
        raw={"config": _json(service.display_config(slug, site, speak))},
        lang=service.DISPLAY_LANGUAGE,
        second_lang=service.DISPLAY_SECOND_LANGUAGE,
        title=site.name,
        site_name=site.name,
        sound_blocked=f"{staff(texts.SOUND_BLOCKED)} / {staff_second(texts.SOUND_BLOCKED)}",
        signed_out=f"{staff(texts.DISPLAY_SIGNED_OUT)} / {staff_second(texts.DISPLAY_SIGNED_OUT)}",
        how_to=staff(how_to).format(site=slug),
        **values,
    )


def display_signed_out(slug: str) -> str:
    first, second = _both(texts.DISPLAY_SIGNED_OUT, citizen=False)
    how_first, how_second = _both(texts.DISPLAY_HOW_TO_SIGN_IN, citizen=False)
    return _render(
        "message.html",
        raw={
            "lines": _paragraphs(
                [line.format(site=slug) for line in (how_first, how_second) if line]
            )
        },
        lang=service.DISPLAY_LANGUAGE,
        dir="ltr",
        title=first,
        headline=f"{first} / {second}" if second else first,
    )


def no_such_site(slug: str) -> str:
    first, second = _both(texts.NO_SUCH_SITE, citizen=False)
    lines = [first.format(site=slug)] + ([second.format(site=slug)] if second else [])
    return _render(
        "message.html",
        raw={"lines": ""},
        lang=service.DISPLAY_LANGUAGE,
        dir="ltr",
        title=lines[0],
        headline=" / ".join(lines),
    )


def home(language: str, sites: list[tuple[str, str]]) -> str:
    """The server's start page: what this server is, each site's display link (never a token)
    and the API's documentation, in a staff language."""
    say = gettext_for(language)
    if sites:
        links = "".join(
            f'<li><a class="display-link" href="/display/{quote(slug, safe="")}">'
            f"{html.escape(name)}</a> "
            f'<span class="slug">/display/{html.escape(slug)}</span></li>'
            for slug, name in sites
        )
        listing = f'<ul class="links" id="sites">{links}</ul>'
    else:
        listing = f'<p id="sites">{html.escape(say(texts.HOME_NO_SITES))}</p>'
    return _render(
        "home.html",
        raw={"sites": listing},
        lang=language,
        title=say(texts.HOME_TITLE),
        intro=say(texts.HOME_INTRO),
        displays=say(texts.HOME_DISPLAYS),
        how_to=say(texts.DISPLAY_HOW_TO_SIGN_IN).format(
            site=sites[0][0] if len(sites) == 1 else "SITE"
        ),
        api=say(texts.HOME_API),
        api_docs=say(texts.HOME_API_DOCS),
        openapi=say(texts.HOME_OPENAPI),
    )


#: The faces' mouths (a 64x64 drawing): from a deep frown (1) to a wide smile (5).
_MOUTHS = {
    FeedbackScore.VERY_BAD: "M19 47 Q32 33 45 47",
    FeedbackScore.BAD: "M21 46 Q32 39 43 46",
    FeedbackScore.OKAY: "M21 43 L43 43",
    FeedbackScore.GOOD: "M21 41 Q32 49 43 41",
    FeedbackScore.VERY_GOOD: "M18 38 Q32 56 46 38",
}


def _face(score: FeedbackScore, label: str) -> str:
    """One face: a submit button of the feedback form, named for screen readers (and in a
    tooltip); the row's two ends are named under it (``scale``)."""
    drawing = (
        '<svg viewBox="0 0 64 64" aria-hidden="true" focusable="false">'
        '<circle cx="32" cy="32" r="29"/>'
        '<circle class="eye" cx="22.5" cy="25" r="3.8"/>'
        '<circle class="eye" cx="41.5" cy="25" r="3.8"/>'
        f'<path class="mouth" d="{_MOUTHS[score]}"/></svg>'
    )
    name = html.escape(label)
    return (
        f'<button type="submit" name="score" value="{int(score)}" '
        f'class="face face-{int(score)}" aria-label="{name}" title="{name}">{drawing}</button>'
    )


def status(ref: service.TicketRef, view: dict[str, Any], token: str) -> str:
    say = citizen_gettext(ref.language)
    base = f"/t/{token}"
    config = {
        "events_url": f"{base}/events",
        "state_url": f"{base}/state",
        "feedback_url": f"{base}/feedback",
        "chime_url": "/web/chime.wav",
        "view": view,
        "texts": {"alert_on": say(texts.ALERT_ON), "not_sent": say(texts.FEEDBACK_NOT_SENT)},
    }
    faces = "".join(_face(score, say(label)) for score, label in FEEDBACK_SCORE_LABELS.items())
    return _render(
        "status.html",
        raw={
            "config": _json(config),
            "lines": _paragraphs(view["lines"]),
            "faces": faces,
            "feedback_hidden": "" if view["feedback"] == service.FEEDBACK_ASK else "hidden",
            "thanks_hidden": "" if view["feedback"] == service.FEEDBACK_GIVEN else "hidden",
        },
        lang=ref.language,
        dir=service.direction(ref.language),
        title=view["title"],
        state=view["state"],
        site_name=ref.site_name,
        your_number=say(texts.YOUR_NUMBER),
        number=view["number"],
        service=view["service"],
        headline=view["headline"],
        note=view["note"],
        alert_button=say(texts.ALERT_BUTTON),
        alerts_hidden="hidden" if view["final"] else "",
        connection_lost=say(texts.CONNECTION_LOST),
        feedback_url=f"{base}/feedback",
        question=say(texts.FEEDBACK_QUESTION),
        feedback_hint=say(texts.FEEDBACK_HINT),
        thanks=say(texts.FEEDBACK_THANKS),
        worst=say(FEEDBACK_SCORE_LABELS[FeedbackScore.VERY_BAD]),
        best=say(FEEDBACK_SCORE_LABELS[FeedbackScore.VERY_GOOD]),
    )


def feedback_refused(ref: service.TicketRef, message: str, token: str) -> str:
    """Why a plain form's answer was not kept, in the ticket's language, with the way back."""
    say = citizen_gettext(ref.language)
    back = (
        f'<p><a href="/t/{quote(token, safe="")}">{html.escape(say(texts.BACK_TO_TICKET))}</a></p>'
    )
    return _render(
        "message.html",
        raw={"lines": back},
        lang=ref.language,
        dir=service.direction(ref.language),
        title=message,
        headline=message,
    )


def ticket_not_found(language: str, too_many: bool = False) -> str:
    say = citizen_gettext(language)
    headline = say(texts.TOO_MANY if too_many else texts.NOT_FOUND)
    return _render(
        "message.html",
        raw={"lines": "" if too_many else _paragraphs([say(texts.NOT_FOUND_DETAIL)])},
        lang=language,
        dir=service.direction(language),
        title=headline,
        headline=headline,
    )


#: What the page says about a receipt, by its state: the headline and the lines under it.
_PICKUP_SAYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ordered": (texts.PICKUP_ORDERED, (texts.PICKUP_ORDERED_ON,)),
    "ready": (texts.PICKUP_READY, (texts.PICKUP_READY_SINCE, texts.PICKUP_BRING)),
    "handed_over": (texts.PICKUP_HANDED_OVER, (texts.PICKUP_HANDED_OVER_ON,)),
    "expired": (texts.PICKUP_EXPIRED, (texts.PICKUP_EXPIRED_ON, texts.PICKUP_ASK)),
    "cancelled": (texts.PICKUP_CANCELLED, (texts.PICKUP_ASK,)),
    "replaced": (texts.PICKUP_REPLACED, (texts.PICKUP_REPLACED_ON,)),
    "unknown": (texts.PICKUP_UNKNOWN, (texts.PICKUP_UNKNOWN_DETAIL,)),
    "too_many": (texts.TOO_MANY, ()),
}


def _pickup_lines(state: ReceiptState, language: str) -> list[str]:
    """The dates of the receipt's state, in the language, as days at the site."""
    zone = ZoneInfo(state.timezone)
    locale = "de_DE" if language == "de" else language
    say = citizen_gettext(language)

    def day(moment: datetime | date | None) -> str:
        if isinstance(moment, datetime):
            moment = moment.astimezone(zone).date()
        return format_date(moment, "long", locale=locale) if moment is not None else "—"

    days = {
        texts.PICKUP_ORDERED_ON: state.ordered_at,
        texts.PICKUP_READY_SINCE: state.ready_at,
        texts.PICKUP_HANDED_OVER_ON: state.closed_at,
        texts.PICKUP_EXPIRED_ON: state.closed_at,
        texts.PICKUP_REPLACED_ON: state.replaced_at,
    }
    lines = [
        say(message).format(date=day(days[message])) if message in days else say(message)
        for message in _PICKUP_SAYS[state.status][1]
    ]
    if state.status == "ordered":
        expected = state.expected_ready_on
        lines.append(
            say(texts.PICKUP_EXPECTED).format(date=day(expected))
            if expected is not None
            else say(texts.PICKUP_NOT_EXPECTED)
        )
    return lines


def pickup(language: str, state: ReceiptState | str | None = None) -> str:
    """The "Ready yet?" page: the form for a receipt's code and, once one was sent, what is
    known of it (``state``: the receipt's state, or ``unknown`` / ``too_many``)."""
    say = citizen_gettext(language)
    kind = state.status if isinstance(state, ReceiptState) else state
    headline, lines = "", ""
    if kind is not None:
        headline = say(_PICKUP_SAYS[kind][0])
        shown = (
            _pickup_lines(state, language)
            if isinstance(state, ReceiptState)
            else [say(m) for m in _PICKUP_SAYS[kind][1]]
        )
        lines = _paragraphs(shown)
    links = " ".join(
        f'<a href="/p?lang={code}" lang="{code}" hreflang="{code}">{html.escape(name)}</a>'
        for code, name in NATIVE_NAMES.items()
        if code != language
    )
    return _render(
        "pickup.html",
        raw={
            "lines": lines,
            "languages": links,
            "answer_hidden": "" if kind else "hidden",
            "autofocus": "" if kind else "autofocus",
        },
        lang=language,
        dir=service.direction(language),
        title=say(texts.PICKUP_TITLE),
        state=kind or "form",
        headline=headline,
        intro=say(texts.PICKUP_INTRO),
        code_label=say(texts.PICKUP_CODE),
        check=say(texts.PICKUP_CHECK),
        no_details=say(texts.PICKUP_NO_DETAILS),
    )
