"""The web pages of the waiting room: the call display (``/display/<site>``) and the citizen's
ticket status page (``/t/<status_token>``). Plain HTML, CSS and JavaScript served by the
server itself; both follow the site's changes live over server-sent events."""
