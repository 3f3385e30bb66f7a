"""The ticket and receipt printers (ESC/POS) of the kiosk and the desks, behind a port.

* :mod:`counter_app.printers.uri` — ``open_printer("tcp://...")``: a printer URI to a python-escpos
  printer with the paper width set.
* :mod:`counter_app.printers.status` — ``PrinterState`` and ``read_status(printer)``.
* :mod:`counter_app.printers.worker` — ``PrintWorker``: the one thread that owns the printer;
  the GUI submits ``PrintJob``\\ s (1-bit images) and gets futures of ``PrintResult``.

The transports themselves are python-escpos's, one module per transport. Nothing here is
shown to citizens: their messages are made elsewhere from ``PrinterState``.
"""

import os

from platformdirs import user_cache_path

# python-escpos caches its printer profiles as a pickle in a new temporary folder per process
# unless told where; keep one cache per user instead of a litter of /tmp folders.
if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
    _cache = user_cache_path("tresen", appauthor=False) / "escpos"
    _cache.mkdir(parents=True, exist_ok=True)
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(_cache)

from counter_app.printers.status import FAULTS, PrinterState, read_status
from counter_app.printers.uri import PrinterDriverMissingError, PrinterUriError, open_printer
from counter_app.printers.worker import PrintJob, PrintResult, PrintWorker

__all__ = [
    "FAULTS",
    "PrintJob",
    "PrintResult",
    "PrintWorker",
    "PrinterDriverMissingError",
    "PrinterState",
    "PrinterUriError",
    "open_printer",
    "read_status",
]
