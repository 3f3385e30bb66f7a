"""Sign in: server, user, password, desk. Everything but the password is remembered."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from counter_app.core.api import SignIn, TresenClient
from counter_app.core.settings import DeskSettings
from counter_app.qt.errors import describe
from counter_app.qt.i18n import N_, Language
from counter_app.qt.tasks import Tasks


class LoginDialog(QDialog):
    signed_in = Signal(object, object)  # TresenClient, SignIn

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
        self.form = QFormLayout(self)
        self.labels = [QLabel() for _ in range(5)]
        for label, field in zip(
            self.labels, (self.server, self.site, self.user, self.password, self.desk), strict=True
        ):
            label.setBuddy(field)
            self.form.addRow(label, field)
        self.form.addRow(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.attempt)
        self.buttons.rejected.connect(self.reject)
        self.form.addRow(self.buttons)
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

    def attempt(self) -> None:
        fields = [
            self.server.text().strip(),
            self.site.text().strip(),
            self.user.text().strip(),
            self.password.text(),
            self.desk.text().strip(),
        ]
        if not all(fields):
            self.error.setText(self.language(N_("Please fill in every field.")))
            return
        self.error.setText(self.language(N_("Signing in …")))
        self.buttons.setEnabled(False)
        client = TresenClient(fields[0], language=self.language.code)
        self.tasks.run(
            client.login,
            fields[2],
            fields[3],
            on_done=lambda sign_in: self._on_signed_in(client, sign_in),
            on_error=self._on_failed,
        )

    def _on_signed_in(self, client: TresenClient, sign_in: SignIn) -> None:
        self.buttons.setEnabled(True)
        self.password.clear()
        self.signed_in.emit(client, sign_in)
        self.accept()

    def _on_failed(self, error: Exception) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(describe(error, self.language))
        self.password.selectAll()
        self.password.setFocus()

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


class DeskSession(Protocol):
    @property
    def window(self) -> QWidget: ...

    def start(self) -> None: ...
    def stop(self) -> None: ...


def run_desk(
    app: QCoreApplication,
    dialog: LoginDialog,
    open_session: Callable[[TresenClient, SignIn], DeskSession],
    user_given: bool,
) -> int:
    """Sign in with ``dialog`` (at once when ``$TRESEN_PASSWORD`` is set and a user was given),
    open the desk's session, run until its window closes; the exit code of the program."""
    holder: list[DeskSession] = []

    def on_signed_in(client: TresenClient, sign_in: SignIn) -> None:
        session = open_session(client, sign_in)
        holder.append(session)
        session.window.resize(1280, 800)
        session.window.show()
        session.start()

    dialog.signed_in.connect(on_signed_in)
    password = os.environ.get(PASSWORD_VARIABLE) if user_given else None
    if password:
        dialog.password.setText(password)
        dialog.attempt()
    if not dialog.exec() and not holder:
        return 1
    code = app.exec()
    for session in holder:
        session.stop()
    return code
