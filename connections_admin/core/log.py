"""How the console's log lines are written (LOGGING in settings/base.py).

Django logs a 403 (and other 4xx) on ``django.request`` and ``django.security`` as a
warning or error carrying the exception, so each refused request printed a full
traceback. A 4xx is the client's doing, not a fault of the console: one line without
the traceback says all there is to say. A 5xx keeps its traceback.
"""

import logging


class Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        status = getattr(record, "status_code", None)
        if record.exc_info and isinstance(status, int) and status < 500:
            record = logging.makeLogRecord(record.__dict__)  # other handlers keep theirs
            record.exc_info = None
            record.exc_text = None
        return super().format(record)
