"""The ``tresen`` command.

::

    tresen server [--db URL_OR_FILE] [--host 127.0.0.1] [--port 8080] [--workers N] [--demo]
    tresen admin apply FILE           load a site file (idempotent)
    tresen admin add-user NAME --role clerk --site SLUG
    tresen admin reset-password NAME
    tresen admin issue-device-token SITE NAME --kind kiosk|display|integration
    tresen admin revoke-device-token SITE NAME
    tresen admin purge-pickups [--days N]   erase personal data of closed pickups
    tresen admin purge-cases [--days N]     erase case text of finished tickets
    tresen admin expire-pickups [--days N]  expire ready pickups not collected in time
    tresen admin import-appointments FILE --site SLUG   a booking system's CSV or .ics export
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from pydantic import ValidationError

from central_server.config import ServerSettings
from resources.vocabulary import DeviceKind

if TYPE_CHECKING:
    from central_server.db import Database

#: Settings that also have a command-line option.
_OPTIONS = frozenset({"db", "host", "port", "workers"})


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL_OR_FILE",
        help="the path of a SQLite file, or a database URL such as "
        "postgresql+psycopg://USER@HOST/DATABASE (default: TRESEN_DB, or tresen.sqlite3 in "
        "the user's data folder)",
    )


def _fail(message: str) -> NoReturn:
    """One line on standard error and exit code 2, as for a wrong command line."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value) if value != "" else "empty"


def _settings_help() -> str:
    """Every server setting with its variable, default and description, for the help text."""
    lines = ["settings (from the environment; --db, --host, --port and --workers win over them):"]
    for name, field in ServerSettings.model_fields.items():
        default = "" if field.default_factory is not None else f" (default {_shown(field.default)})"
        lines.append(f"  TRESEN_{name.upper()}{default}")
        lines += textwrap.wrap(
            str(field.description or ""), 76, initial_indent="    ", subsequent_indent="    "
        )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tresen", description="Tresen: queue and case flow for citizen-service centres"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    server = commands.add_parser(
        "server",
        help="run the central server",
        description=textwrap.fill(
            "Run the central server: the API, the live event stream, the call display and the "
            "ticket status page.",
            79,
        ),
        epilog=_settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_db(server)
    server.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    server.add_argument("--port", type=int, help="port (default 8080)")
    server.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="server processes sharing the port (default 1); more than 1 needs PostgreSQL",
    )
    server.add_argument("--demo", action="store_true", help="load the demo site")

    admin = commands.add_parser(
        "admin",
        help="administration for the city's IT",
        description="Administration for the city's IT: site files, users, device tokens, "
        "pickups. tresen admin ACTION --help shows the options of an action.",
    )
    actions = admin.add_subparsers(dest="action", required=True, title="actions", metavar="ACTION")
    apply = actions.add_parser("apply", help="load a site file (TOML); safe to repeat")
    apply.add_argument("file", type=Path)
    _add_db(apply)

    add_user = actions.add_parser("add-user", help="add a member of staff")
    add_user.add_argument("username")
    add_user.add_argument(
        "--role", action="append", required=True, choices=["clerk", "pickup", "supervisor", "admin"]
    )
    add_user.add_argument("--site", action="append", default=[], help="site slug (repeatable)")
    add_user.add_argument("--name", default="", help="display name")
    add_user.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of making one",
    )
    _add_db(add_user)

    reset = actions.add_parser("reset-password", help="set a new password, end all sign-ins")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true")
    _add_db(reset)

    issue = actions.add_parser("issue-device-token", help="new token for a kiosk or display")
    issue.add_argument("site")
    issue.add_argument("name")
    issue.add_argument("--kind", required=True, choices=[kind.value for kind in DeviceKind])
    _add_db(issue)

    revoke = actions.add_parser("revoke-device-token", help="the device's token stops working")
    revoke.add_argument("site")
    revoke.add_argument("name")
    _add_db(revoke)

    purge = actions.add_parser(
        "purge-pickups",
        help="erase the holder's name and case reference of pickups handed over, cancelled or "
        "expired more than N days ago (the server does this every hour by itself)",
    )
    purge.add_argument(
        "--days",
        type=int,
        help="days since the pickup closed (default: TRESEN_PICKUP_PURGE_DAYS, or 30)",
    )
    _add_db(purge)

    purge_cases = actions.add_parser(
        "purge-cases",
        help="erase the case notes, case reference and forwarding reason of tickets finished "
        "more than N days ago (the server does this every hour by itself)",
    )
    purge_cases.add_argument(
        "--days",
        type=int,
        help="days since the ticket finished (default: TRESEN_CASE_PURGE_DAYS, or 30)",
    )
    _add_db(purge_cases)

    expire = actions.add_parser(
        "expire-pickups",
        help="expire the pickups ready for more than N days and not collected (the server does "
        "this every hour by itself)",
    )
    expire.add_argument(
        "--days",
        type=int,
        help="days since the document became ready (default: TRESEN_PICKUP_COLLECT_DAYS, or 90)",
    )
    _add_db(expire)

    appointments = actions.add_parser(
        "import-appointments",
        help="import a booking system's appointments from a CSV or iCalendar (.ics) file "
        '(idempotent; README "Appointments" lists the columns and fields)',
    )
    appointments.add_argument("file", type=Path)
    appointments.add_argument("--site", required=True, help="the site's slug")
    _add_db(appointments)

    sum_up = actions.add_parser(
        "sum-up-figures",
        help="sum up the statistics of every finished day now (after an upgrade; otherwise the "
        "first statistics request of a site does it)",
    )
    sum_up.add_argument("--site", help="only this site")
    _add_db(sum_up)

    report = actions.add_parser(
        "report",
        help="write the statistics of a site or an organisation's sites for a period "
        "(XLSX: one sheet per view; CSV: the views one after another)",
    )
    report.add_argument("--site", help="the site's slug (with --organisation: some of its sites)")
    report.add_argument("--organisation", help="all sites of this organisation")
    report.add_argument("--from", dest="first", required=True, metavar="YYYY-MM-DD")
    report.add_argument("--to", dest="last", required=True, metavar="YYYY-MM-DD")
    report.add_argument("--format", choices=("xlsx", "csv"), required=True)
    report.add_argument("--out", type=Path, required=True, metavar="FILE")
    report.add_argument("--language", choices=("de", "en"), default="de", help="headings")
    _add_db(report)
    return parser


def _settings(args: argparse.Namespace, **extra: object) -> ServerSettings:
    values = {k: v for k, v in {"db": getattr(args, "db", None), **extra}.items() if v is not None}
    try:
        return ServerSettings(**values)  # type: ignore[arg-type]
    except ValidationError as exc:
        problem = exc.errors()[0]
        name = str(problem["loc"][0]) if problem["loc"] else ""
        where = f"TRESEN_{name.upper()}"
        if name in _OPTIONS:
            where = f"--{name} (or {where})"
        reason = problem.get("ctx", {}).get("error") or problem["msg"]
        _fail(f"{where}: {reason}")


def open_database(settings: ServerSettings) -> Database:
    """The settings' database, connected once to see that it answers; else one line, exit 2.

    That catches what the URL alone does not show: a file that is no SQLite database, a
    database server that does not answer or refuses the user, a driver that is not installed.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from central_server.db import Database

    shown = make_url(settings.db).render_as_string(hide_password=True)
    try:
        db = Database(settings.db)
    except (SQLAlchemyError, ImportError) as exc:  # an unknown driver, a missing DB-API module
        _fail(f"cannot use the database {shown}: its driver is not installed here ({exc})")
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as exc:
        db.dispose()
        reason = str(exc.orig if isinstance(exc, DBAPIError) else exc).strip()
        _fail(f"cannot open the database {shown}: {reason.splitlines()[0] if reason else exc}")
    return db


#: Why ``--workers`` above 1 needs PostgreSQL (the README says the same).
SQLITE_ONE_PROCESS = (
    "--workers {workers} needs PostgreSQL: SQLite is the embedded database of one office and "
    "is written by one server process; a city's server with several processes runs on "
    "PostgreSQL (--db postgresql+psycopg://USER@HOST/DATABASE)"
)


def run_server(settings: ServerSettings) -> None:
    import uvicorn

    from central_server.app import create_app
    from central_server.serve import run_workers, uvicorn_config

    if settings.workers > 1 and settings.db.startswith("sqlite"):
        _fail(SQLITE_ONE_PROCESS.format(workers=settings.workers))
    db = open_database(settings)
    workers = f", {settings.workers} processes" if settings.workers > 1 else ""
    print(
        f"Tresen server on http://{settings.host}:{settings.port}  (database: "
        f"{settings.db.split('@')[-1]}{workers})",
        flush=True,
    )
    if settings.workers > 1:
        # Once here, before the workers start (each would otherwise try at the same moment;
        # the migration's lock would still keep them apart).
        from central_server import migrate

        try:
            migrate.upgrade(db.engine)
            if settings.demo:
                from central_server.admin import demo

                demo.load(db)
        finally:
            db.dispose()
        if not run_workers(settings):
            raise SystemExit(3)  # a worker could not start; uvicorn logged why
        return
    db.dispose()
    server = uvicorn.Server(uvicorn_config(create_app(settings), settings))
    server.run()
    if not server.started:
        raise SystemExit(3)  # as uvicorn.run: the start failed, uvicorn logged why


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    if args.password_stdin:
        password = (
            sys.stdin.readline().rstrip("\n")
            if not sys.stdin.isatty()
            else getpass.getpass("Password: ")
        )
        if len(password) < 8:
            raise SystemExit("error: the password must have at least 8 characters")
        return password, False
    from central_server.admin.commands import new_password

    return new_password(), True


def run_admin(args: argparse.Namespace) -> int:
    from central_server import migrate
    from central_server.admin import commands, site_file

    settings = _settings(args)
    db = open_database(settings)
    migrate.upgrade(db.engine)
    try:
        if args.action == "apply":
            changes = site_file.apply(db, site_file.read(args.file))
            print(
                "\n".join(changes) if changes else "nothing to change: the site is as the file says"
            )
        elif args.action == "add-user":
            password, made = _password(args)
            commands.add_user(db, args.username, password, args.role, args.site, args.name)
            print(f"user {args.username} added")
            if made:
                print(f"password (shown once): {password}")
        elif args.action == "reset-password":
            password, made = _password(args)
            commands.reset_password(db, args.username, password)
            print(f"password of {args.username} reset; all their sign-ins ended")
            if made:
                print(f"new password (shown once): {password}")
        elif args.action == "issue-device-token":
            token = commands.issue_device_token(db, args.site, args.name, args.kind)
            print(f"token for {args.kind} {args.name} at {args.site} (shown once):\n{token}")
        elif args.action == "revoke-device-token":
            commands.revoke_device_token(db, args.site, args.name)
            print(f"token of {args.name} at {args.site} revoked")
        elif args.action == "purge-pickups":
            from central_server.pickups import service as pickups

            days = settings.pickup_purge_days if args.days is None else args.days
            if days < 0:
                raise commands.AdminError("--days must not be negative")
            count = pickups.purge_personal_data(db, days, actor="admin")
            print(f"personal data of {count} pickups closed over {days} days ago erased")
        elif args.action == "purge-cases":
            from central_server.tickets import purge

            days = settings.case_purge_days if args.days is None else args.days
            if days < 0:
                raise commands.AdminError("--days must not be negative")
            count = purge.purge_case_text(db, days, actor="admin")
            print(f"case text of {count} tickets finished over {days} days ago erased")
        elif args.action == "expire-pickups":
            from central_server.pickups import service as pickups

            days = settings.pickup_collect_days if args.days is None else args.days
            if days < 1:
                raise commands.AdminError("--days must be at least 1")
            count = pickups.expire_uncollected(db, days, actor="admin")
            print(f"{count} pickups expired (ready over {days} days ago, not collected)")
        elif args.action == "report":
            _report(db, args)
        elif args.action == "import-appointments":
            _import_appointments(db, args)
        elif args.action == "sum-up-figures":
            from central_server.errors import TresenError
            from central_server.statistics import service as statistics

            try:
                summed = statistics.sum_up_all(db, args.site)
            except TresenError as exc:
                raise commands.AdminError(f"there is no site {args.site!r}") from exc
            for slug, until in summed:
                print(f"{slug}: summed up until {until or '-'}")
    except (site_file.SiteFileError, commands.AdminError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    return 0


def _import_appointments(db: Database, args: argparse.Namespace) -> None:
    from central_server.admin.commands import AdminError
    from central_server.appointments import imports
    from central_server.errors import TresenError
    from resources.i18n import gettext_for

    try:
        result, skipped = imports.import_file(db, args.site, args.file)
    except imports.AppointmentFileError as exc:
        raise AdminError(str(exc)) from None
    except TresenError as exc:
        raise AdminError(exc.render(gettext_for("en"))) from None
    for label, ids in (
        ("created", result.created),
        ("updated", result.updated),
        ("unchanged", result.unchanged),
    ):
        print(f"{label}: {len(ids)}" + (f" ({', '.join(ids)})" if ids else ""))
    if skipped:
        print(f"skipped: {skipped} cancelled events")


def _report(db: Database, args: argparse.Namespace) -> None:
    from central_server.admin.commands import AdminError
    from central_server.errors import TresenError
    from central_server.statistics import report
    from resources.i18n import gettext_for

    if not args.site and not args.organisation:
        raise AdminError("name a site (--site) or an organisation (--organisation)")
    try:
        built = report.build(db, args.site, args.organisation, args.first, args.last, args.language)
    except TresenError as exc:
        raise AdminError(exc.render(gettext_for(args.language))) from None
    try:
        if args.format == "xlsx":
            report.write_xlsx(built, args.out)
        else:
            report.write_csv(built, args.out)
    except OSError as exc:
        raise AdminError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"report written to {args.out} ({len(built.views)} views)")


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    if args.command == "server":
        run_server(
            _settings(
                args, host=args.host, port=args.port, workers=args.workers, demo=args.demo or None
            )
        )
    elif args.command == "admin":
        return run_admin(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
