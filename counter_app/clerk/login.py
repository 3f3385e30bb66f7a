"""Sign in: server, user, password, desk. Everything but the password is remembered.

Signing in is not done until the desk is signed on: the dialog checks the site and the desk
with the server first, so no desk window opens for a site or desk that does not exist, and a
desk a colleague holds is taken over only when the clerk confirms it.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QObject, QRect, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from counter_app.clerk.controller import DeskController
from counter_app.core.answers import DeskTaken, refusal_details
from counter_app.core.api import SignIn, TresenClient
from counter_app.core.errors import ApiError, NotFound, Rejected
from counter_app.core.screen import has_screen
from counter_app.core.settings import SITE_SLUG, DeskSettings
from counter_app.qt.errors import describe
from counter_app.qt.i18n import N_, Language
from counter_app.qt.tasks import Tasks


class DeskRefused(ApiError):
    """Signed in, but the server refused the sign-on at the desk (``error`` says why)."""

    def __init__(self, sign_in: SignIn, error: Rejected) -> None:
        super().__init__(error.message)
        self.sign_in = sign_in
        self.error = error


def sign_in_at_desk(
    client: TresenClient,
    user: str,
    password: str,
    site: str,
    desk: str,
    force: bool = False,
    sign_in: SignIn | None = None,
) -> SignIn:
    """Sign in (unless ``sign_in`` is given) and sign on at ``desk`` of ``site``; blocking.

    A refused sign-on raises DeskRefused. A taken desk keeps the session, so the clerk can take
    it over without typing the password again; any other refusal signs out again."""
    sign_in = sign_in or client.login(user, password)
    try:
        client.sign_on(site, desk, force)
    except Rejected as error:
        if error.code != "desk_taken":
            with contextlib.suppress(ApiError):  # else the token expires on its own
                client.logout()
        raise DeskRefused(sign_in, error) from error
    return sign_in


def outbox_file_name(site: str, desk: str) -> str:
    """``outbox-<site>-<desk>.sqlite3``, with any character a file name cannot hold (a desk
    code may hold "/" or ":") replaced."""
    safe = re.sub(r"[^\w-]", "_", f"{site}-{desk}")
    return f"outbox-{safe}.sqlite3"


def site_problem(site: str) -> str | None:
    """Why ``site`` cannot be a site's short name (a message id), or None."""
    if SITE_SLUG.fullmatch(site):
        return None
    if "://" in site or ":" in site or "." in site:
        return N_(
            "The site is the site's short name (for example demo), not the server's address. "
            "The server's address goes in the field above."
        )
    return N_("A site's short name has only small letters, digits and hyphens (for example demo).")


class LoginDialog(QDialog):
    signed_in = Signal(object, object)  # TresenClient, SignIn
    #: Signing in failed: the message the dialog shows (for a start without a screen).
    refused = Signal(str)

    def __init__(
        self,
        settings: DeskSettings,
        language: Language,
        tasks: Tasks,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.language = language
        self.tasks = tasks
        self._given = settings  # what the dialog does not ask for (e.g. the printer) stays
        self.server = QLineEdit(settings.server)
        self.server.setObjectName("serverEdit")
        self.site = QLineEdit(settings.site)
        self.site.setObjectName("siteEdit")
        self.user = QLineEdit(settings.user)
        self.user.setObjectName("userEdit")
        self.password = QLineEdit()
        self.password.setObjectName("passwordEdit")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.desk = QLineEdit(settings.desk)
        self.desk.setObjectName("deskEdit")
        self.error = QLabel()
        self.error.setObjectName("errorLabel")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e; font-weight: bold;")
        # Wide enough that a refusal reads in two or three lines, not a column of words.
        self.setMinimumWidth(460)
        self.form = QFormLayout(self)
        self.labels = [QLabel() for _ in range(5)]
        fields = (self.server, self.site, self.user, self.password, self.desk)
        for label, field in zip(self.labels, fields, strict=True):
            label.setBuddy(field)
            self.form.addRow(label, field)
            # What was refused (a taken desk) was refused for what was typed then.
            field.textEdited.connect(self._on_field_edited)
        self.form.addRow(self.error)
        self.take_over_button = QPushButton()
        self.take_over_button.setObjectName("takeOverButton")
        self.take_over_button.clicked.connect(self._on_take_over_clicked)
        self.take_over_button.hide()
        self.form.addRow(self.take_over_button)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.attempt)
        self.buttons.rejected.connect(self.reject)
        self.form.addRow(self.buttons)
        #: Signed in, the desk taken by ``holder``: (client, sign_in, site, desk, holder).
        self._taken: tuple[TresenClient, SignIn, str, str, str] | None = None
        self.confirm: QMessageBox | None = None
        language.changed.connect(lambda _c: self.retranslate())
        self.retranslate()
        (self.password if settings.user else self.user).setFocus()

    def retranslate(self) -> None:
        tr = self.language
        self.setWindowTitle(tr(N_("Tresen · Sign in")))
        for label, text in zip(
            self.labels,
            (N_("&Server"), N_("S&ite"), N_("&User"), N_("&Password"), N_("&Desk")),
            strict=True,
        ):
            label.setText(tr(text))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr(N_("Sign in")))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr(N_("Cancel")))
        if self._taken is not None:
            self.take_over_button.setText(
                tr(N_("Take desk {desk} over from {user} …")).format(
                    desk=self._taken[3], user=self._taken[4]
                )
            )

    def explain(self, text: str) -> None:
        """Show ``text`` (why the clerk is back at the sign-in) and ask for the password."""
        self._forget_taken()
        self._show_error(text)
        self.buttons.setEnabled(True)
        self.password.clear()
        self.password.setFocus()

    def attempt(self) -> None:
        fields = [
            self.server.text().strip(),
            self.site.text().strip(),
            self.user.text().strip(),
            self.password.text(),
            self.desk.text().strip(),
        ]
        self._forget_taken()
        if not all(fields):
            self._refuse(self.language(N_("Please fill in every field.")))
            return
        problem = site_problem(fields[1])
        if problem is not None:
            self._refuse(self.language(problem))
            self.site.selectAll()
            self.site.setFocus()
            return
        self.error.setText(self.language(N_("Signing in …")))
        self.buttons.setEnabled(False)
        client = TresenClient(fields[0], language=self.language.code)
        self.tasks.run(
            sign_in_at_desk,
            client,
            fields[2],
            fields[3],
            fields[1],
            fields[4],
            on_done=lambda sign_in: self._on_signed_in(client, sign_in),
            on_error=lambda error: self._on_failed(client, fields[1], fields[4], error),
        )

    def _on_signed_in(self, client: TresenClient, sign_in: SignIn) -> None:
        self.buttons.setEnabled(True)
        self.take_over_button.setEnabled(True)
        self.password.clear()
        self.error.clear()
        self.signed_in.emit(client, sign_in)
        self.accept()

    def _on_failed(self, client: TresenClient, site: str, desk: str, error: Exception) -> None:
        self.buttons.setEnabled(True)
        self.take_over_button.setEnabled(True)
        tr = self.language
        if not isinstance(error, DeskRefused):
            self._refuse(describe(error, tr))
            self.password.selectAll()
            self.password.setFocus()
            return
        code = error.error.code
        if code == "site_not_found":
            self._refuse(
                tr(N_("The server knows no site {site}. Please check the site.")).format(site=site)
            )
            self.site.selectAll()
            self.site.setFocus()
        elif code == "desk_not_found" or isinstance(error.error, NotFound):
            # (a "/" in the desk code finds no endpoint at all)
            self._refuse(
                tr(N_("Site {site} has no desk {desk}. Please check the desk.")).format(
                    site=site, desk=desk
                )
            )
            self.desk.selectAll()
            self.desk.setFocus()
        elif code == "desk_taken":
            taken = refusal_details(error.error.details, DeskTaken)
            holder = taken.user if taken is not None else "?"
            self._taken = (client, error.sign_in, site, desk, holder)
            self.retranslate()
            self.take_over_button.show()
            self.take_over_button.setFocus()
            self._refuse(
                tr(
                    N_(
                        "{user} is signed on at desk {desk}. Take the desk over only if they "
                        "have left it: their window stops working for the desk at once."
                    )
                ).format(user=holder, desk=desk)
            )
        else:
            self._refuse(describe(error.error, tr))

    def _refuse(self, text: str) -> None:
        self._show_error(text)
        self.refused.emit(text)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.adjustSize()  # the dialog grows with the message instead of cutting it off

    def _on_take_over_clicked(self) -> None:
        if self._taken is None:
            return
        _client, _sign_in, _site, desk, holder = self._taken
        tr = self.language
        confirm = QMessageBox(
            QMessageBox.Icon.Question,
            tr(N_("Take the desk over?")),
            tr(
                N_(
                    "{user} is signed on at desk {desk}. Take the desk over? The citizen at "
                    "the desk, if any, comes with it, and {user}'s window stops working."
                )
            ).format(user=holder, desk=desk),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        confirm.setObjectName("takeOverConfirm")
        confirm.button(QMessageBox.StandardButton.Yes).setText(tr(N_("Take over")))
        confirm.button(QMessageBox.StandardButton.No).setText(tr(N_("Cancel")))
        confirm.setDefaultButton(QMessageBox.StandardButton.No)
        confirm.accepted.connect(self._take_over)
        confirm.finished.connect(confirm.deleteLater)
        self.confirm = confirm
        confirm.open()

    def _take_over(self) -> None:
        if self._taken is None:
            return
        client, sign_in, site, desk, _holder = self._taken
        self.error.setText(self.language(N_("Signing in …")))
        self.buttons.setEnabled(False)
        self.take_over_button.setEnabled(False)
        self.tasks.run(
            sign_in_at_desk,
            client,
            sign_in.username,
            "",
            site,
            desk,
            True,
            sign_in,
            on_done=lambda signed: self._on_signed_in(client, signed),
            on_error=lambda error: self._on_failed(client, site, desk, error),
        )

    def _on_field_edited(self, _text: str) -> None:
        self._forget_taken()

    def _forget_taken(self) -> None:
        self._taken = None
        self.take_over_button.hide()

    def settings(self) -> DeskSettings:
        return self._given.model_copy(
            update={
                "server": self.server.text().strip(),
                "site": self.site.text().strip(),
                "user": self.user.text().strip(),
                "desk": self.desk.text().strip(),
                "language": self.language.code,
            }
        )


PASSWORD_VARIABLE = "TRESEN_PASSWORD"  # noqa: S105 - the name of a variable, not a password


#: The smallest desk screen the desk windows are laid out for, and the size they open at.
SMALLEST_SCREEN = (1280, 720)
OPENING_SIZE = (1280, 800)


class DeskSession(Protocol):
    @property
    def window(self) -> QWidget: ...

    @property
    def controller(self) -> DeskController: ...

    def start(self, sign_on: bool = True) -> None: ...
    def stop(self) -> None: ...


def show_desk_window(window: QWidget, room: QRect | None = None) -> None:
    """Open ``window`` at its usual size, or filling a screen (``room``: the screen's free
    area) smaller than that, e.g. 1366×768: a window taller than the screen hides its bottom."""
    if room is None:
        screen = window.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else None
    width, height = OPENING_SIZE
    if room is not None and (room.width() < width or room.height() < height):
        window.resize(min(width, room.width()), min(height, room.height()))
        window.showMaximized()
        return
    window.resize(width, height)
    window.show()


class DeskRun(QObject):
    """A desk program's life: sign in, work at the desk, and back to the sign-in dialog when
    the desk is signed off here or taken over by a colleague (never a window that goes on
    acting for a desk it no longer holds)."""

    def __init__(
        self,
        dialog: LoginDialog,
        open_session: Callable[[TresenClient, SignIn], DeskSession],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.dialog = dialog
        self.open_session = open_session
        self.sessions: list[DeskSession] = []
        #: The session working at its desk now; None while the sign-in dialog asks.
        self.current: DeskSession | None = None
        self._stopped: set[int] = set()
        dialog.signed_in.connect(self._on_dialog_signed_in)

    def _on_dialog_signed_in(self, client: TresenClient, sign_in: SignIn) -> None:
        for old in self.sessions:
            old.window.close()  # a window left standing by a take-over, now answered
        session = self.open_session(client, sign_in)
        self.sessions.append(session)
        self.current = session
        session.controller.ended.connect(
            lambda reason, s=session: self._on_session_ended(s, reason)
        )
        show_desk_window(session.window)
        session.start(sign_on=False)  # the dialog has signed on

    def _on_session_ended(self, session: DeskSession, reason: tuple[str, Any]) -> None:
        if session is self.current:
            self.current = None
        self._stop(session)
        kind, who = reason
        tr = self.dialog.language
        texts = {
            "signed_off": "",
            "taken_over": tr(N_("{user} has taken desk {desk} over.")),
            "closed": tr(N_("{user} has signed desk {desk} off.")),
        }
        self.dialog.explain(texts.get(kind, "").format(user=who, desk=session.controller.desk))
        self.dialog.open()  # before the window closes, or the program would end with it
        if kind == "signed_off":
            session.window.close()

    def _stop(self, session: DeskSession) -> None:
        if id(session) not in self._stopped:
            self._stopped.add(id(session))
            session.stop()

    def stop(self) -> None:
        for session in self.sessions:
            self._stop(session)


def ask_sign_in(dialog: LoginDialog, user_given: bool) -> int:
    """Ask with ``dialog`` until signed in or cancelled: the dialog's result (1 signed in,
    0 cancelled, 2 refused without a screen).

    With ``$TRESEN_PASSWORD`` set and a user given, it signs in at once. If that is refused
    (wrong password, unknown site or desk, a desk a colleague holds, no server), then on a
    screen the dialog stays open and says why; without a screen the reason goes to stderr and
    the result is 2."""
    password = os.environ.get(PASSWORD_VARIABLE) if user_given else None
    unattended = bool(password) and not has_screen(QGuiApplication.platformName())
    refusals: list[str] = []

    def give_up(text: str) -> None:
        refusals.append(text)
        print(f"tresen: {text}", file=sys.stderr)
        dialog.done(2)

    if password:
        dialog.password.setText(password)
        if unattended:
            dialog.refused.connect(give_up)
        dialog.attempt()
    result = 2 if refusals else dialog.exec()  # refused before asking the server: at once
    if unattended:
        dialog.refused.disconnect(give_up)
    return result


def run_desk(
    app: QCoreApplication,
    dialog: LoginDialog,
    open_session: Callable[[TresenClient, SignIn], DeskSession],
    user_given: bool,
) -> int:
    """Sign in with ``dialog`` (see :func:`ask_sign_in`), open the desk's session, run until the
    clerk quits; the exit code of the program (a taken desk is never taken over unasked)."""
    run = DeskRun(dialog, open_session)
    result = ask_sign_in(dialog, user_given)
    if result == 2 and not run.sessions:
        return 2
    if not result and not run.sessions:
        return 1
    # Back at the sign-in dialog later (signed off, taken over): cancelling it ends the program.
    dialog.rejected.connect(lambda: run.current is None and app.quit())
    code = app.exec()
    run.stop()
    return code
