"""The review page's web application (Sanic, the framework Rasa already runs on; Jinja2 templates).

Every route but the login form and the stylesheet needs a signed-in reviewer. Pages carry no
script at all (the plots are PNG drawn on the server), a Content-Security-Policy that allows none,
and are never cached or framed. Forms that change something carry the session's CSRF token.
The log names conversations by a hash and never holds what anyone wrote.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request

from review import plots, views
from review.accounts import check_login
from review.conversation import LEVELS
from review.export import export_yaml
from review.marks import NO_GOOD_FIT, VERDICTS, MarkError, MarkStore, check_mark
from review.overview import ConversationLibrary, Filters, build_overview, day_of
from review.sessions import LoginThrottle, Sessions
from review.tracker_source import TrackerSource
from review.vocabulary import Vocabulary

logger = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
SESSION_COOKIE, LOGIN_COOKIE = "review_session", "review_login"
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/static/review.css"), ("GET", "/favicon.ico")}
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
MAX_FORM_BYTES = 64 * 1024


@dataclass
class Settings:
    stuck_after: int = 12  # turns without an assessment that make a conversation "stuck"
    secure_cookies: bool = True
    idle_seconds: float = 30 * 60
    max_seconds: float = 8 * 60 * 60


def conversation_hash(sender_id: str) -> str:
    return hashlib.sha256(sender_id.encode("utf-8", "replace")).hexdigest()[:12]


def _where(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)[-3:]
    return " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames)) or "-"


def create_app(source: TrackerSource, marks: MarkStore, accounts: Callable[[], Dict[str, str]],
               settings: Settings = Settings(), vocabulary: Optional[Vocabulary] = None, name: str = "review") -> Sanic:
    app = Sanic(name, configure_logging=False)  # its loggers go to the root logger
    app.config.REQUEST_MAX_SIZE = MAX_FORM_BYTES
    app.config.KEEP_ALIVE_TIMEOUT = 15
    vocabulary = vocabulary or Vocabulary.load()
    library = ConversationLibrary(source, vocabulary)
    sessions = Sessions(settings.idle_seconds, settings.max_seconds)
    throttle = LoginThrottle()
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="review-db")  # DB reads and plots, one at a time
    templates = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]))
    templates.globals.update(vocabulary=vocabulary, levels=LEVELS, verdicts=VERDICTS, link=views.link,
                             no_good_fit=NO_GOOD_FIT, lists=views.LISTS, why=views.why, score=views.score)
    templates.filters.update(when=_when, pct=_pct, number=_number, level=vocabulary.level, finding=vocabulary.finding,
                             cause=vocabulary.cause, day=lambda t: str(day_of(t) or "-"))
    app.static("/static/review.css", str(HERE / "static" / "review.css"), name="stylesheet")

    async def off_loop(function: Callable, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(worker, function, *args)

    def page(template: str, request: Request, status: int = 200, **context: Any) -> response.HTTPResponse:
        session = getattr(request.ctx, "session", None)
        body = templates.get_template(template).render(session=session, path=request.path, **context)
        return response.html(body, status=status)

    def set_cookie(reply: response.HTTPResponse, key: str, value: str, max_age: int) -> None:
        reply.cookies[key] = value
        cookie = reply.cookies[key]
        cookie["httponly"], cookie["samesite"], cookie["path"], cookie["max-age"] = True, "Strict", "/", max_age
        if settings.secure_cookies:
            cookie["secure"] = True

    # ------------------------------------------------------------------ access
    @app.on_request
    async def require_reviewer(request: Request):
        request.ctx.session = sessions.get(request.cookies.get(SESSION_COOKIE))
        if request.ctx.session is not None or (request.method, request.path) in PUBLIC:
            return None
        if request.method in ("GET", "HEAD"):
            return response.redirect(views.link("/login", next=_local(request.path, request.query_string)), status=303)
        return response.text("Sign in first.", status=403)

    @app.on_response
    async def protect(request: Request, reply: response.HTTPResponse):
        for header, value in SECURITY_HEADERS.items():
            reply.headers[header] = value
        static = request.path.startswith("/static/")
        reply.headers["Cache-Control"] = "no-cache" if static else "no-store"
        if not static:
            reply.headers["Pragma"] = "no-cache"

    def csrf_ok(request: Request) -> bool:
        return request.ctx.session is not None and request.ctx.session.csrf_ok(request.form.get("csrf_token"))

    def refused_form() -> response.HTTPResponse:
        return response.text("This form has expired or did not come from the review page: go back, reload the "
                             "page and send it again.", status=403)

    @app.get("/favicon.ico")
    async def no_icon(request: Request):
        return response.empty()

    @app.get("/login")
    async def login_form(request: Request):
        # the same token for every login form this browser opens (a favicon request opens one too)
        nonce = request.cookies.get(LOGIN_COOKIE) or ""
        nonce = nonce if re.fullmatch(r"[\w-]{32}", nonce) else secrets.token_urlsafe(24)
        reply = page("login.html", request, nonce=nonce, next=_local(request.args.get("next", "/")), error=None)
        set_cookie(reply, LOGIN_COOKIE, nonce, 30 * 60)
        return reply

    @app.post("/login")
    async def login(request: Request):
        name, password = (request.form.get("name") or "").strip(), request.form.get("password") or ""
        target = _local(request.form.get("next") or "/")
        nonce = request.cookies.get(LOGIN_COOKIE) or ""

        def again(error: str, status: int) -> response.HTTPResponse:
            fresh = secrets.token_urlsafe(24)
            reply = page("login.html", request, status=status, nonce=fresh, next=target, error=error)
            set_cookie(reply, LOGIN_COOKIE, fresh, 30 * 60)
            return reply

        if not nonce or not secrets.compare_digest(nonce, request.form.get("login_token") or ""):
            return again("The sign-in form had expired: please sign in again.", 403)
        if throttle.locked(name):
            logger.warning("Review: sign-in refused, too many failures for one name; waiting")
            return again("Too many failed attempts: wait a minute and try again.", 429)
        known = await off_loop(accounts)
        if not await off_loop(check_login, known, name, password):
            throttle.failed(name)
            logger.info("Review: a sign-in failed")
            return again("Wrong name or password.", 401)
        throttle.succeeded(name)
        sessions.close(request.cookies.get(SESSION_COOKIE))
        logger.info(f"Review: {name} signed in")
        reply = response.redirect(target, status=303)
        set_cookie(reply, SESSION_COOKIE, sessions.open(name), int(settings.max_seconds))
        del reply.cookies[LOGIN_COOKIE]
        return reply

    @app.post("/logout")
    async def logout(request: Request):
        if not csrf_ok(request):
            return refused_form()
        sessions.close(request.cookies.get(SESSION_COOKIE))
        reply = response.redirect("/login", status=303)
        del reply.cookies[SESSION_COOKIE]
        return reply

    # ------------------------------------------------------------------ pages
    @app.get("/")
    async def overview_page(request: Request):
        filters = Filters.from_args(request.args)
        conversations = await off_loop(library.all)
        overview = build_overview(conversations, filters, settings.stuck_after)
        marked = await off_loop(marks.latest)
        channels = sorted({ch for c in conversations for ch in c.channels})
        verdict_counts = {key: sum(1 for c in overview.conversations if c.sender_id in marked and marked[c.sender_id].verdict == key)
                    for key in VERDICTS}
        return page("overview.html", request, overview=overview, filters=filters, channels=channels,
                    verdict_counts=verdict_counts, store=source.where(), store_exists=await off_loop(source.exists))

    @app.get("/plots/<file_name:str>")
    async def plot(request: Request, file_name: str):
        name = file_name[:-len(".png")] if file_name.endswith(".png") else ""
        filters = Filters.from_args(request.args)
        conversations = await off_loop(library.all)
        overview = build_overview(conversations, filters, settings.stuck_after)
        drawings = {
            "per_day": lambda: plots.per_day(overview.per_day),
            "triage": lambda: plots.horizontal_bars([(vocabulary.level(k), v) for k, v in overview.triage_mix.items()],
                                                    [plots.LEVEL_COLOURS[k] for k in overview.triage_mix]),
            "red_flags": lambda: plots.horizontal_bars([(vocabulary.finding(f), n) for f, n in overview.red_flags],
                                                       empty="no escalation in this selection"),
            "causes": lambda: plots.horizontal_bars([(vocabulary.cause(c), n) for c, n in overview.top_causes],
                                                    empty="no assessment with causes in this selection"),
            "feedback": lambda: plots.horizontal_bars(
                [("helpful", overview.feedback["helpful"]), ("not helpful", overview.feedback["not_helpful"]),
                 ("no answer", overview.feedback["not_given"])], ["#3a9d5d", "#c0392b", "#999999"],
                empty="no assessment asked for feedback in this selection"),
        }
        if name not in drawings:
            return response.text("No such plot.", status=404)
        return response.raw(await off_loop(drawings[name]), content_type="image/png")

    @app.get("/conversations")
    async def conversation_list(request: Request):
        filters = Filters.from_args(request.args)
        show = request.args.get("show") if request.args.get("show") in views.LISTS else "all"
        conversations = [c for c in await off_loop(library.all) if filters.admits(c)]
        marked = await off_loop(marks.latest)
        chosen = views.select(conversations, show, marked, settings.stuck_after)
        number = max(1, _int(request.args.get("page"), 1))
        shown = chosen[(number - 1) * views.PAGE_SIZE: number * views.PAGE_SIZE]
        channels = sorted({ch for c in await off_loop(library.all) for ch in c.channels})
        return page("conversations.html", request, conversations=shown, total=len(chosen), show=show, filters=filters,
                    marks=marked, page_number=number, pages=max(1, -(-len(chosen) // views.PAGE_SIZE)),
                    channels=channels, stuck_after=settings.stuck_after)

    async def conversation_page(request: Request, sender_id: str, status: int = 200, error: Optional[str] = None,
                                form: Optional[dict] = None):
        conversation = await off_loop(library.one, sender_id)
        if conversation is None:
            return page("not_found.html", request, status=404)
        history = await off_loop(marks.history, sender_id)
        findings, other = views.interview_fields(conversation, vocabulary)
        return page("conversation.html", request, status=status, c=conversation, history=history,
                    qa=views.questions_and_answers(conversation, vocabulary), findings=findings, other=other,
                    error=error, form=form or {}, stuck_after=settings.stuck_after)

    @app.get("/conversation")
    async def conversation(request: Request):
        return await conversation_page(request, request.args.get("id") or "")

    @app.post("/conversation/mark")
    async def mark(request: Request):
        if not csrf_ok(request):
            return refused_form()
        sender_id = request.form.get("id") or ""
        conversation = await off_loop(library.one, sender_id)
        if conversation is None:
            return page("not_found.html", request, status=404)
        form = {key: request.form.get(key) or "" for key in ("verdict", "expected_triage", "expected_cause", "note")}
        try:
            fields = check_mark(form["verdict"], form["expected_triage"], form["expected_cause"], form["note"],
                                conversation.triage, vocabulary.cause_ids)
        except MarkError as error:
            return await conversation_page(request, sender_id, status=400, error=str(error), form=form)
        await off_loop(marks.add, sender_id, request.ctx.session.reviewer, fields)
        logger.info(f"Review: conversation {conversation_hash(sender_id)} marked {fields['verdict']}")
        return response.redirect(views.link("/conversation", id=sender_id) + "#mark", status=303)

    @app.get("/export.yml")
    async def export(request: Request):
        filters = Filters.from_args(request.args)
        marked = await off_loop(marks.latest)
        conversations = [c for c in await off_loop(library.all) if c.sender_id in marked and filters.admits(c)]
        text = export_yaml([(c, marked[c.sender_id]) for c in conversations], vocabulary)
        logger.info(f"Review: {request.ctx.session.reviewer} exported {len(conversations)} marked conversation(s)")
        return response.text(text, content_type="application/x-yaml; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="reviewed_vignettes.yml"'})

    # ------------------------------------------------------------------ errors
    async def on_error(request: Request, error: Exception):
        if isinstance(error, SanicException) and getattr(error, "status_code", 500) < 500:
            status = error.status_code
            return response.text(f"{status}: {'not found' if status == 404 else 'refused'}", status=status)
        # Never the exception's text: it may quote a message or a note.
        logger.error(f"Review: {request.method} {request.path} failed: {type(error).__name__} at {_where(error)}")
        return response.text("Something went wrong on the review page; the error is in its log.", status=500)

    app.error_handler.add(Exception, on_error)
    return app


def _local(path: str, query: str = "") -> str:
    """A path on this site to go back to after signing in (never another site)."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return f"{path}?{query}" if query else path


def _int(text: Optional[str], default: int) -> int:
    try:
        return int(text or default)
    except ValueError:
        return default


def _when(timestamp: Optional[float]) -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(timestamp)) if timestamp else "-"


def _number(value: Optional[float]) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _pct(share: Optional[float]) -> str:
    return f"{round(share * 100)}%" if share is not None else "-"
