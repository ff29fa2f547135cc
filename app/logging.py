"""Logging for every Meridian process: structlog in front, the standard library underneath, one line per event.

`configure_logging()` is called once by the process entry point (the CLI). Our code logs through structlog
(`get_logger(__name__).info("order.placed", order_id=...)`); libraries that use the standard library (uvicorn,
Dramatiq, asyncpg, strawberry) are routed through the same formatter, so every line on stderr is one JSON
object with `timestamp`, `level`, `logger`, `event` and whatever the context holds — above all `request_id`
(bound per HTTP request by the API) and, in workers, `actor` and `message_id`.

    {"event":"http.request","request_id":"9f1c…","method":"POST","path":"/graphql","status":200,
     "duration_ms":4.2,"level":"info","logger":"meridian.access","timestamp":"2025-…Z"}

`MERIDIAN_LOG_FORMAT=console` renders the same events for people at a terminal.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Literal, TextIO

import orjson
import structlog
import structlog.tracebacks
from structlog.typing import EventDict, Processor

LogFormat = Literal["json", "console"]

# uvicorn installs its own handlers unless told otherwise; we take them off and let records reach the root.
_ROUTED = ("uvicorn", "uvicorn.error", "uvicorn.access", "dramatiq", "strawberry", "asyncpg")


# Tracebacks name files, lines and functions, never the values of local variables: a frame's locals hold
# whatever the code was holding (the services object, a request's token, a customer's address), and whoever
# reads the logs must not be able to mint tokens from them. structlog and rich both show locals by default.
_TRACEBACKS = structlog.processors.ExceptionRenderer(structlog.tracebacks.ExceptionDictTransformer(show_locals=False))


def _json(event: EventDict, **_: Any) -> str:
    # default=str: ids, datetimes, Decimals and exceptions' reprs never make a log line fail.
    return orjson.dumps(event, default=str).decode()


def _drop_color_message(logger: Any, name: str, event: EventDict) -> EventDict:
    # uvicorn puts an ANSI-coloured copy of the message in `color_message`; it only clutters JSON.
    event.pop("color_message", None)
    return event


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        _drop_color_message,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]


def configure_logging(level: str = "INFO", fmt: LogFormat = "json", stream: TextIO | None = None) -> None:
    """Routes structlog and the standard library's logging to one handler on `stream` (stderr)."""
    shared = _shared_processors()
    renderer: Processor
    if fmt == "console":
        renderer = structlog.dev.ConsoleRenderer(
            colors=(stream or sys.stderr).isatty(),
            exception_formatter=structlog.dev.RichTracebackFormatter(show_locals=False),
        )
        exceptions: list[Processor] = []
    else:
        renderer = structlog.processors.JSONRenderer(serializer=_json)
        exceptions = [_TRACEBACKS]  # the traceback as data, not a multi-line string
    structlog.configure(
        # filter_by_level first: an event below the level (the access line of every request, when it is
        # WARNING) is dropped before the chain stamps, merges and wraps it for a handler that would drop it.
        processors=[structlog.stdlib.filter_by_level, *shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Not cached: a logger first used before configure_logging() (at import, in a test) must still follow
        # the configuration in force; the lookup it saves costs microseconds.
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *exceptions, renderer],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in _ROUTED:
        routed = logging.getLogger(name)
        routed.handlers.clear()
        routed.propagate = True
    logging.getLogger("pgserver").setLevel(logging.WARNING)  # it narrates every initdb and pg_ctl call


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
