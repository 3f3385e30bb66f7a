"""Sign in as a supervisor: server, site, user, password; no desk.

The supervisor signs on at no desk (a desk signed on would count as open and lower the waits
citizens are told). Signing in is done only when the server has let the user read the site's
board: a user without the role supervisor, or a supervisor of another site, is told so in the
dialog and signed out again, and no window opens.
"""

from __future__ import annotations

import contextlib

from PySide6.QtWidgets import QWidget

from counter_app.clerk.login import LoginDialog, site_problem
from counter_app.core.answers import SignIn
from counter_app.core.api import TresenClient
from counter_app.core.errors import ApiError, NotAllowed, NotFound, Rejected
from counter_app.core.settings import DeskSettings
from counter_app.qt.errors import describe
from counter_app.qt.i18n import N_, Language
from counter_app.qt.tasks import Tasks

SUPERVISOR = "supervisor"


class NotSupervisor(ApiError):
    """Signed in, but the user may not steer this site: ``reason`` is ``role`` (not a
    supervisor at all), ``site`` (not of this site) or ``no_site`` (the server has none)."""

    def __init__(self, user: str, reason: str) -> None:
        super().__init__(f"{user}: {reason}")
        self.user = user
        self.reason = reason


def sign_in_as_supervisor(client: TresenClient, user: str, password: str, site: str) -> SignIn:
    """Sign in and read the site's board once; blocking. A user who may not steer the site is
    signed out again and ``NotSupervisor`` raised."""
    sign_in = client.login(user, password)
    reason = ""
    if SUPERVISOR not in sign_in.roles:
        reason = "role"
    else:
        try:
            client.board(site)
        except NotFound:
            reason = "no_site"
        except NotAllowed:
            reason = "site"
        except Rejected:
            reason = "site"
    if reason:
        with contextlib.suppress(ApiError):  # else the token expires on its own
            client.logout()
        raise NotSupervisor(sign_in.username, reason)
    return sign_in


class SupervisorLoginDialog(LoginDialog):
    """The clerk's sign-in dialog without the desk."""

    def __init__(
        self,
        settings: DeskSettings,
        language: Language,
        tasks: Tasks,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(settings, language, tasks, parent)
        self.form.setRowVisible(self.desk, False)
        self.setObjectName("loginDialog")

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(self.language(N_("Tresen · Supervisor · Sign in")))

    def attempt(self) -> None:
        server, site, user = (
            self.server.text().strip(),
            self.site.text().strip(),
            self.user.text().strip(),
        )
        password = self.password.text()
        if not all((server, site, user, password)):
            self._refuse(self.language(N_("Please fill in every field.")))
            return
        problem = site_problem(site)
        if problem is not None:
            self._refuse(self.language(problem))
            self.site.selectAll()
            self.site.setFocus()
            return
        self.error.setText(self.language(N_("Signing in …")))
        self.buttons.setEnabled(False)
        client = TresenClient(server, language=self.language.code)
        self.tasks.run(
            sign_in_as_supervisor,
            client,
            user,
            password,
            site,
            on_done=lambda sign_in: self._on_signed_in(client, sign_in),
            on_error=lambda error: self._on_refused(site, error),
        )

    def _on_refused(self, site: str, error: Exception) -> None:
        self.buttons.setEnabled(True)
        tr = self.language
        if not isinstance(error, NotSupervisor):
            self._refuse(describe(error, tr))
            self.password.selectAll()
            self.password.setFocus()
            return
        if error.reason == "no_site":
            self._refuse(
                tr(N_("The server knows no site {site}. Please check the site.")).format(site=site)
            )
            self.site.selectAll()
            self.site.setFocus()
            return
        if error.reason == "site":
            text = N_("{user} is not a supervisor of site {site}: the board stays closed.")
        else:
            text = N_(
                "{user} is not a supervisor: this window is for the role supervisor. Clerks "
                "sign in with tresen clerk."
            )
        self._refuse(tr(text).format(user=error.user, site=site))
        self.user.selectAll()
        self.user.setFocus()
