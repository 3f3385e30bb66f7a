"""Tresen's central server: the one source of truth for every site of a city.

Layout (one package per domain, see ../shared/STYLE.md):
``auth/`` logins, device tokens and permissions; ``sites/`` sites, services, desks;
``tickets/`` the queue actions; ``events/`` the append-only log and its live stream;
``admin/`` the site file and the ``tresen admin`` commands. ``queue_rules`` holds the
queue's rules as plain Python without I/O.
"""
