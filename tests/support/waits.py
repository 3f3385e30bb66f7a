"""How long a test waits for something that needs the server, a worker thread or a browser.

One generous limit for all of them: tests run on developers' machines and in CI beside other
work, and a machine under a load of 8 answers in seconds what an idle one answers in
milliseconds. A wait ends as soon as its event happens, so the limit costs nothing when all is
well; it only decides when a test gives up. A slow answer is never a failure: how fast things
are is measured in ``bench/``, not asserted here.
"""

from __future__ import annotations

#: For ``qtbot.waitUntil``, ``qtbot.waitSignal`` and Playwright's ``expect`` (milliseconds).
ANSWER_MS = 30_000
#: The same in seconds, for ``future.result(...)``, HTTP clients and polling loops.
ANSWER_S = ANSWER_MS / 1000
#: How long a test printer that answers may take for its status reply (seconds). Shorter than
#: ``ANSWER_S``: a printer state that leaves a request unanswered waits this out once per
#: request. Silent test printers get a short limit of their own.
STATUS_S = 5.0
