"""The review page's web application: Sanic (the framework Rasa already runs on) with Jinja2
templates. `create_app` wires the parts: access.py (sign-in, sessions, CSRF, headers) and pages.py
(what a reviewer reads and marks)."""
from __future__ import annotations

import asyncio
import logging
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request

from review import views
from review.conversation import LEVELS
from review.marks import NO_GOOD_FIT, VERDICTS, MarkStore
from review.overview import ConversationLibrary, day_of
from review.sessions import LoginThrottle, Sessions
from review.tracker_source import TrackerSource
from review.vocabulary import Vocabulary

logger = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
MAX_FORM_BYTES = 64 * 1024


@dataclass
class Settings:
    stuck_after: int = 12  # turns without an assessment that make a conversation "stuck"
    secure_cookies: bool = True
    idle_seconds: float = 30 * 60
    max_seconds: float = 8 * 60 * 60


@dataclass
class Review:
    """What the routes share."""
    source: TrackerSource
    marks: MarkStore
    accounts: Callable[[], Dict[str, str]]
    settings: Settings
    vocabulary: Vocabulary
    library: ConversationLibrary
    templates: Environment
    sessions: Sessions
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    # database reads and plots off the event loop, one at a time
    worker: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="review"))

    async def off_loop(self, function: Callable, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.worker, function, *args)

    def page(self, template: str, request: Request, status: int = 200, **context: Any) -> response.HTTPResponse:
        session = getattr(request.ctx, "session", None)
        body = self.templates.get_template(template).render(session=session, path=request.path, **context)
        return response.html(body, status=status)


def create_app(source: TrackerSource, marks: MarkStore, accounts: Callable[[], Dict[str, str]],
               settings: Optional[Settings] = None, vocabulary: Optional[Vocabulary] = None,
               name: str = "review") -> Sanic:
    from review import access, pages

    app = Sanic(name, configure_logging=False)  # its loggers go to the root logger
    app.config.REQUEST_MAX_SIZE = MAX_FORM_BYTES
    app.config.KEEP_ALIVE_TIMEOUT = 15
    settings = settings or Settings()
    vocabulary = vocabulary or Vocabulary.load()
    review = Review(source, marks, accounts, settings, vocabulary, ConversationLibrary(source, vocabulary),
                    _templates(vocabulary), Sessions(settings.idle_seconds, settings.max_seconds))
    app.static("/static/review.css", str(HERE / "static" / "review.css"), name="stylesheet")
    access.install(app, review)
    pages.install(app, review)
    app.error_handler.add(Exception, _on_error)
    return app


def _templates(vocabulary: Vocabulary) -> Environment:
    templates = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]))
    templates.globals.update(vocabulary=vocabulary, levels=LEVELS, verdicts=VERDICTS, link=views.link,
                             no_good_fit=NO_GOOD_FIT, lists=views.LISTS, why=views.why, score=views.score)
    templates.filters.update(when=_when, pct=_pct, number=_number, level=vocabulary.level, finding=vocabulary.finding,
                             cause=vocabulary.cause, day=lambda t: str(day_of(t) or "-"))
    return templates


async def _on_error(request: Request, error: Exception) -> response.HTTPResponse:
    if isinstance(error, SanicException) and getattr(error, "status_code", 500) < 500:
        status = error.status_code
        return response.text(f"{status}: {'not found' if status == 404 else 'refused'}", status=status)
    # Never the exception's text: it may quote a message or a note.
    frames = traceback.extract_tb(error.__traceback__)[-3:]
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames)) or "-"
    logger.error(f"Review: {request.method} {request.path} failed: {type(error).__name__} at {where}")
    return response.text("Something went wrong on the review page; the error is in its log.", status=500)


def _when(timestamp: Optional[float]) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(timestamp)) if timestamp else "-"


def _number(value: Optional[float]) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _pct(share: Optional[float]) -> str:
    return f"{round(share * 100)}%" if share is not None else "-"
