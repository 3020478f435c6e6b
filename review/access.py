"""Who may see the review page: the sign-in form, sessions in an HttpOnly SameSite=Strict cookie,
the CSRF token of every form that changes something, and the headers of every response (no
script, no framing, no caching). Every route but PUBLIC needs a signed-in reviewer."""
from __future__ import annotations

import logging
import re
import secrets
from typing import TYPE_CHECKING, Optional

from sanic import Sanic, response
from sanic.request import Request

from review import views
from review.accounts import check_login

if TYPE_CHECKING:
    from review.app import Review

logger = logging.getLogger(__name__)
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
LOGIN_FORM_SECONDS = 30 * 60


def csrf_ok(request: Request) -> bool:
    session = getattr(request.ctx, "session", None)
    return session is not None and session.csrf_ok(request.form.get("csrf_token"))


def refused_form() -> response.HTTPResponse:
    return response.text("This form has expired or did not come from the review page: go back, reload the "
                         "page and send it again.", status=403)


def local_path(path: str, query: str = "") -> str:
    """A path on this site to go back to after signing in (never another site)."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return f"{path}?{query}" if query else path


def install(app: Sanic, review: "Review") -> None:
    sessions, throttle = review.sessions, review.throttle

    def set_cookie(reply: response.HTTPResponse, key: str, value: str, max_age: int) -> None:
        reply.cookies[key] = value
        cookie = reply.cookies[key]
        cookie["httponly"], cookie["samesite"], cookie["path"], cookie["max-age"] = True, "Strict", "/", max_age
        if review.settings.secure_cookies:
            cookie["secure"] = True

    def login_page(request: Request, nonce: str, target: str, error: Optional[str] = None, status: int = 200):
        reply = review.page("login.html", request, status=status, nonce=nonce, next=target, error=error)
        set_cookie(reply, LOGIN_COOKIE, nonce, LOGIN_FORM_SECONDS)
        return reply

    @app.on_request
    async def require_reviewer(request: Request):
        request.ctx.session = sessions.get(request.cookies.get(SESSION_COOKIE))
        if request.ctx.session is not None or (request.method, request.path) in PUBLIC:
            return None
        if request.method in ("GET", "HEAD"):
            return response.redirect(views.link("/login", next=local_path(request.path, request.query_string)),
                                     status=303)
        return response.text("Sign in first.", status=403)

    @app.on_response
    async def protect(request: Request, reply: response.HTTPResponse):
        for header, value in SECURITY_HEADERS.items():
            reply.headers[header] = value
        static = request.path.startswith("/static/")
        reply.headers["Cache-Control"] = "no-cache" if static else "no-store"  # health data is never stored
        if not static:
            reply.headers["Pragma"] = "no-cache"

    @app.get("/favicon.ico")
    async def no_icon(request: Request):
        return response.empty()

    @app.get("/login")
    async def login_form(request: Request):
        # one token for every sign-in form this browser opens (a favicon request opens one too)
        nonce = request.cookies.get(LOGIN_COOKIE) or ""
        nonce = nonce if re.fullmatch(r"[\w-]{32}", nonce) else secrets.token_urlsafe(24)
        return login_page(request, nonce, local_path(request.args.get("next", "/")))

    @app.post("/login")
    async def login(request: Request):
        name, password = (request.form.get("name") or "").strip(), request.form.get("password") or ""
        target = local_path(request.form.get("next") or "/")
        nonce = request.cookies.get(LOGIN_COOKIE) or ""
        fresh = secrets.token_urlsafe(24)
        if not nonce or not secrets.compare_digest(nonce, request.form.get("login_token") or ""):
            return login_page(request, fresh, target, "The sign-in form had expired: please sign in again.", 403)
        if throttle.locked(name):
            logger.warning("Review: sign-in refused, too many failures for one name; waiting")
            return login_page(request, fresh, target, "Too many failed attempts: wait a minute and try again.", 429)
        if not await review.off_loop(check_login, await review.off_loop(review.accounts), name, password):
            throttle.failed(name)
            logger.info("Review: a sign-in failed")
            return login_page(request, fresh, target, "Wrong name or password.", 401)
        throttle.succeeded(name)
        sessions.close(request.cookies.get(SESSION_COOKIE))
        logger.info(f"Review: {name} signed in")
        reply = response.redirect(target, status=303)
        set_cookie(reply, SESSION_COOKIE, sessions.open(name), int(review.settings.max_seconds))
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
