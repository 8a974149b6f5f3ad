"""JSON structured logs with the request id on every line."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

#: The current request's id, set by the request middleware and read by the log filter and outbound calls.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.__dict__.pop("color_message", None)  # uvicorn's copy of the message with terminal colours
        return True


def configure_logging(*, service: str, level: str = "INFO") -> None:
    """One JSON line per record on stderr; idempotent so app factories may call it repeatedly."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "_meldroute", False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler._meldroute = True  # type: ignore[attr-defined]
        handler.addFilter(_RequestIdFilter())
        root.addHandler(handler)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "tijd", "levelname": "niveau", "name": "logger", "message": "bericht"},
            static_fields={"dienst": service},
        )
    )
    root.setLevel(level)
    # uvicorn's own lines (start, stop, errors) go through the same JSON handler instead of uvicorn's plain-text
    # handlers. Its access lines are off: the request middleware logs every request (`meldroute.toegang`) with
    # the request id.
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
