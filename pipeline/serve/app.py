"""The Flask application of ``ninbai serve``: pages, files, actions, login, errors.

Flask (WSGI) because the pipeline is synchronous and the app mostly serves files and small
pages; waitress (pipeline.serve.run) serves it: a pure-Python production server with no reverse
proxy needed, on the office's Linux box. Every state change is a POST carrying Flask-WTF's CSRF
token and goes through the library functions the CLI uses (``approve_cases``,
``revoke_approval``, ``record_sent``), so it takes the same batch lock and atomic writes; each
is recorded in the audit log (pipeline.serve.audit).
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Flask,
    Response,
    abort,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2 import ChoiceLoader, FileSystemLoader
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from pipeline.batch.approve import ApproveError, approve_cases, high_warnings, revoke_approval
from pipeline.batch.lock import BatchLocked
from pipeline.batch.manifest import StateFileError
from pipeline.batch.review import (
    KIND_LABELS,
    REVIEW_TEMPLATES,
    approved_links,
    href,
    local_time,
    next_step,
    problem_place,
    repayment_period,
    zone_label,
)
from pipeline.batch.sent import METHODS, SentError, record_sent
from pipeline.compute.money import yen
from pipeline.compute.warnings import warning_title
from pipeline.read.issues import LEVEL_LABELS, LEVELS, level_label
from pipeline.serve import pages
from pipeline.serve.audit import audit
from pipeline.serve.safety import LoginGuard, add_security_headers, file_inside
from pipeline.serve.users import password_matches

LOG = logging.getLogger("ninbai.serve")
SERVE_TEMPLATES = Path(__file__).parent / "templates"
#: The Host names a browser on this computer uses for a loopback server (the port aside).
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
DEBUG_ENV = "NINBAI_DEBUG"
#: A hash to check a password against when the name is unknown: the answer takes as long as for
#: a known name, so timing does not tell which names exist.
_DUMMY_HASH = ("scrypt:32768:8:1$c2FsdHNhbHRzYWx0$"
               "0b6c2d7d3d0b2a9a6f1f9ad0c0b3f8d5e0c1a2b3c4d5e6f708192a3b4c5d6e7f"
               "0b6c2d7d3d0b2a9a6f1f9ad0c0b3f8d5e0c1a2b3c4d5e6f708192a3b4c5d6e7f")
ERROR_TEXTS = {
    400: ("リクエストを受け付けられませんでした", "ページを開き直してから、もう一度操作してください。"),
    403: ("この操作はできません", "ログインし直してから、もう一度操作してください。"),
    404: ("ページが見つかりません", "バッチ一覧から開き直してください。"),
    405: ("この操作はできません", "ページのボタンから操作してください。"),
    429: ("しばらくログインできません", "パスワードの誤りが続いたため、しばらくしてからやり直してください。"),
    500: ("問題が起きました", "もう一度操作してください。続くときはシステム担当者に連絡してください。"),
}


@dataclass(frozen=True)
class ServeSettings:
    """What the server needs: OUT_DIR, the page's time zone, the users and the session rules."""

    out_dir: Path
    zone: str = "Asia/Tokyo"
    users: dict[str, str] = field(default_factory=dict)  # name → scrypt hash
    idle: timedelta = timedelta(hours=8)
    attempts: int = 5
    lockout: timedelta = timedelta(minutes=15)
    secret_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    #: 作り直し: a ``pipeline.serve.rebuild.WarmBuilder`` (its ``rebuild(out_dir, batch,
    #: case_id)``); None: no rebuild button (the tests of the other pages need no worker)
    builder: Any = None


def create_app(settings: ServeSettings) -> Flask:
    """The application over ``settings.out_dir`` (every batch in it)."""
    app = Flask("pipeline.serve", template_folder="templates", static_folder="static")
    # the server's own pages first, then the review page's partials (the key figures), so both
    # surfaces show a case from one template
    app.jinja_loader = ChoiceLoader([FileSystemLoader(SERVE_TEMPLATES),
                                     FileSystemLoader(REVIEW_TEMPLATES)])
    app.config.update(
        SECRET_KEY=settings.secret_key, DEBUG=False, TESTING=False, PROPAGATE_EXCEPTIONS=False,
        SESSION_COOKIE_NAME="ninbai_session", SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict", PERMANENT_SESSION_LIFETIME=settings.idle,
        SESSION_REFRESH_EACH_REQUEST=True, MAX_CONTENT_LENGTH=64 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which expires
        WTF_CSRF_SSL_STRICT=False,  # plain http on the office network (docs/serve.md)
    )
    # "//etc/passwd" reaches the file check (and its 404), not a redirect to a cleaned path
    app.url_map.merge_slashes = False
    app.extensions["ninbai"] = settings
    app.extensions["ninbai_guard"] = LoginGuard(settings.attempts, settings.lockout.total_seconds())
    CSRFProtect(app)
    _template_helpers(app, settings)
    _hooks(app, settings)
    _routes(app, settings)
    _errors(app)
    return app


def _template_helpers(app: Flask, settings: ServeSettings) -> None:
    zone = ZoneInfo(settings.zone)
    app.jinja_env.filters.update(
        days_left=lambda iso: pages.days_until(iso, _today(settings)),
        yen=yen, warning_title=warning_title, period=repayment_period, level_label=level_label,
        local_time=lambda stamp: local_time(stamp, zone), place=problem_place,
        file_name=lambda path: Path(path).name, href=href, day=pages.day_of)
    app.jinja_env.globals.update(
        level_labels=LEVEL_LABELS, levels=LEVELS, kind_labels=KIND_LABELS, methods=METHODS,
        approval_filters=pages.APPROVAL_FILTERS, severity_filters=pages.SEVERITY_FILTERS,
        deadline_filters=pages.DEADLINE_FILTERS,
        zone_label=zone_label(zone), next_step=next_step, approved_links=approved_links)


# ---------------------------------------------------------------------------------------------
# who is asking
# ---------------------------------------------------------------------------------------------


def login_required(settings: ServeSettings) -> bool:
    """With users configured everyone logs in; without, the server is on loopback only."""
    return bool(settings.users)


def current_user() -> str | None:
    return session.get("user")


def _hooks(app: Flask, settings: ServeSettings) -> None:
    @app.before_request
    def _session_and_login() -> Any:
        if not login_required(settings) and host_name(request.host) not in LOOPBACK_NAMES:
            # Without logins the server is for this computer only: a page of another site that
            # points its own name at 127.0.0.1 (DNS rebinding) sends that name as Host and is
            # refused, so it cannot read the cases. With users it would have no session cookie.
            abort(400)
        now = time.time()
        seen = session.get("seen")
        if seen is not None and now - float(seen) > settings.idle.total_seconds():
            session.clear()  # idle too long: the cookie's own expiry is the browser's word only
        session.permanent = True
        session["seen"] = now
        if login_required(settings) and current_user() is None \
                and request.endpoint not in ("login", "static"):
            if request.method == "POST":
                abort(403)
            return redirect(url_for("login"))
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        framed = request.endpoint == "batch_file" and response.mimetype == "application/pdf"
        add_security_headers(response, framed_file=framed)
        response.headers["Server"] = "ninbai"
        _access_log(response)
        return response


def host_name(host: str) -> str:
    """The name of a Host header without its port: ``localhost:8000`` → ``localhost``,
    ``[::1]:8000`` → ``[::1]``."""
    if host.startswith("["):
        return host[:host.find("]") + 1] if "]" in host else host
    return host.split(":", 1)[0].lower()


def _access_log(response: Response) -> None:
    """One line per request without anything personal: the route's pattern (never the path:
    a file name names a creditor), the batch and the case id, the status."""
    rule = request.url_rule.rule if request.url_rule else "-"
    args = request.view_args or {}
    LOG.info("%s %s batch=%s case=%s %s", request.method, rule, args.get("batch", "-"),
             args.get("case_id", "-"), response.status_code)


# ---------------------------------------------------------------------------------------------
# pages
# ---------------------------------------------------------------------------------------------


def _batch_or_404(settings: ServeSettings, name: str, verify: bool = False,
                  case_id: str | None = None) -> pages.Batch:
    """The batch, its approvals checked as ``pages.open_batch`` says (``verify``, ``case_id``):
    only the pages that show whether an approval stands check them."""
    batch = pages.open_batch(settings.out_dir, name, verify, case_id)
    if batch is None:
        abort(404)
    return batch


def _routes(app: Flask, settings: ServeSettings) -> None:
    @app.get("/")
    def batches() -> str:
        return render_template("batches.html", lines=pages.batch_lines(settings.out_dir))

    @app.get("/b/<batch>/")
    def batch_page(batch: str) -> str:
        found = _batch_or_404(settings, batch, verify=True)
        cases = found.cases()
        level = _choice(request.args.get("level"), LEVELS)
        severity = _choice(request.args.get("severity"), pages.SEVERITY_FILTERS)
        approval = _choice(request.args.get("approval"), tuple(pages.APPROVAL_FILTERS))
        deadline = _choice(request.args.get("deadline"), tuple(pages.DEADLINE_FILTERS))
        approved, pending = pages.approval_counts(cases)
        today = _today(settings)
        deadlines = pages.batch_deadlines(cases, today)
        nearest = pages.nearest_deadlines(deadlines)
        shown = [c for c in pages.filtered(cases, level, severity, approval)
                 if pages.deadline_matches(nearest.get(c.record.case_id or ""), deadline, today)]
        return render_template(
            "batch.html", batch=found, cases=shown, nearest=nearest,
            total=len(cases), counts={lv: sum(c.level == lv for c in cases) for lv in LEVELS},
            approved=approved, pending=pending, deadlines=deadlines, level=level,
            severity=severity, approval=approval, deadline=deadline, today=today)

    @app.get("/b/<batch>/c/<case_id>/")
    def case_page(batch: str, case_id: str) -> str:
        found = _batch_or_404(settings, batch, verify=True, case_id=case_id)
        case = found.case(case_id)
        if case is None:
            abort(404)
        data = pages.case_json(found, case)
        return render_template(
            "case.html", comparison=pages.comparison(found, case_id),
            can_rebuild=settings.builder is not None and bool(case.record.case_id), preview=_preview(found, case, request.args.get("show")), batch=found,
            case=case, r=case.record, high=high_warnings(case.record), deadlines=pages.deadlines_of(data),
            break_even=pages.break_even_of(data), history=pages.history(found, case_id),
            revocable=pages.revocable(found, case_id),
            packets=pages.packets_with_sent(found, case), today=_today(settings),
            user=current_user(), login=login_required(settings),
            typed_name=session.get("typed_name", ""), message=session.pop("message", None))

    @app.get("/b/<batch>/f/<path:path>")
    def batch_file(batch: str, path: str) -> Response:
        found = _batch_or_404(settings, batch)
        real = file_inside(found.folder, path, found.allowed_files())
        if real is None:
            abort(404)
        if real.suffix == ".pdf":
            return send_file(real, mimetype="application/pdf", conditional=False)
        return send_file(real, as_attachment=True, download_name=real.name, conditional=False)

    _actions(app, settings)
    _rebuild_route(app, settings)
    _login_routes(app, settings)


def _preview(batch: pages.Batch, case: Any, shown: str | None) -> str | None:
    """The PDF shown in the case page's frame: the one asked for when it is one of the case's,
    else its first packet (what is sent), else its first document."""
    pdfs = [p["pdf"] for p in case.record.packets] + [d["pdf"] for d in case.record.documents]
    if shown in pdfs:
        return shown
    return pdfs[0] if pdfs and case.record.folder else None


def _choice(value: str | None, allowed: tuple[str, ...]) -> str:
    return value if value in allowed else ""


def _today(settings: ServeSettings) -> date:
    return datetime.now(ZoneInfo(settings.zone)).date()


# ---------------------------------------------------------------------------------------------
# actions (POST, CSRF token checked by CSRFProtect before any of these run)
# ---------------------------------------------------------------------------------------------


def _actor(settings: ServeSettings) -> str:
    """Who acts: the logged-in user; on a loopback server without users, the name typed into
    the form (as ``--by``), remembered for the next form."""
    if login_required(settings):
        return current_user() or ""
    typed = " ".join(request.form.get("by", "").split())[:40]
    if typed:
        session["typed_name"] = typed
    return typed


NO_NAME = "記録できません: 操作した人の名前を入れてください。"


def _done(batch: str, case_id: str, text: str) -> BaseResponse:
    session["message"] = text
    return redirect(url_for("case_page", batch=batch, case_id=case_id))


def _actions(app: Flask, settings: ServeSettings) -> None:
    @app.post("/b/<batch>/c/<case_id>/approve")
    def approve(batch: str, case_id: str) -> BaseResponse:
        found = _batch_or_404(settings, batch)
        who = _actor(settings)
        if not who:
            return _done(batch, case_id, NO_NAME)
        override = request.form.get("override", "").strip() or None
        try:
            result = approve_cases(found.folder, [case_id], who, override=override,
                                   zone=settings.zone)
        except (ApproveError, BatchLocked) as exc:
            audit(settings.out_dir, who, "approve", batch, case_id, "refused")
            return _done(batch, case_id, f"承認できません: {exc}")
        if result.problems:
            audit(settings.out_dir, who, "approve", batch, case_id, "refused")
            return _done(batch, case_id, "承認できません: " + " ".join(result.problems))
        audit(settings.out_dir, who, "approve", batch, case_id, "done",
              override=bool(result.approved and result.approved[0].override))
        return _done(batch, case_id, "承認済みです。" if result.already else "承認しました。")

    @app.post("/b/<batch>/c/<case_id>/revoke")
    def revoke(batch: str, case_id: str) -> BaseResponse:
        found = _batch_or_404(settings, batch)
        who = _actor(settings)
        if not who:
            return _done(batch, case_id, NO_NAME)
        try:
            revoke_approval(found.folder, case_id, who, request.form.get("reason", ""),
                            zone=settings.zone)
        except (ApproveError, BatchLocked) as exc:
            audit(settings.out_dir, who, "revoke", batch, case_id, "refused")
            return _done(batch, case_id, f"取り消せません: {exc}")
        audit(settings.out_dir, who, "revoke", batch, case_id, "done")
        return _done(batch, case_id, "承認を取り消しました。")

    @app.post("/b/<batch>/c/<case_id>/sent")
    def sent(batch: str, case_id: str) -> BaseResponse:
        found = _batch_or_404(settings, batch)
        case = found.case(case_id)
        packets = case.record.packets if case else []
        who = _actor(settings)
        if not who:
            return _done(batch, case_id, NO_NAME)
        number = _int(request.form.get("packet"))
        try:
            if not 1 <= number <= len(packets):
                raise SentError("送付書類一式を選んでください。")
            sent_on = _sent_on(request.form.get("sent_on", ""))
            record_sent(found.folder, case_id, packets[number - 1]["pdf"], sent_on,
                        request.form.get("method", ""), who, zone=settings.zone)
        except (SentError, BatchLocked, StateFileError) as exc:
            audit(settings.out_dir, who, "sent", batch, case_id, "refused", packet=number)
            return _done(batch, case_id, f"記録できません: {exc}")
        audit(settings.out_dir, who, "sent", batch, case_id, "done", packet=number)
        return _done(batch, case_id, "送付を記録しました。")


def _rebuild_route(app: Flask, settings: ServeSettings) -> None:
    @app.post("/b/<batch>/c/<case_id>/rebuild")
    def rebuild(batch: str, case_id: str) -> BaseResponse:
        _batch_or_404(settings, batch)
        if settings.builder is None:
            abort(404)
        who = _actor(settings)
        if not who:
            return _done(batch, case_id, NO_NAME)
        result = settings.builder.rebuild(settings.out_dir, batch, case_id)
        LOG.info("%s", result.log_line)
        audit(settings.out_dir, who, "rebuild", batch, case_id,
              "done" if result.ok else result.state, state=result.state,
              revision=result.revision)
        text = " ".join([result.message, *result.details])
        return _done(batch, result.case_id or case_id, text)


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


def _sent_on(text: str) -> date:
    """送付日 from the form's date field (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SentError("送付日を「2026-11-30」の形で入れてください。") from None


# ---------------------------------------------------------------------------------------------
# login
# ---------------------------------------------------------------------------------------------


def _login_routes(app: Flask, settings: ServeSettings) -> None:
    guard: LoginGuard = app.extensions["ninbai_guard"]

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        if not login_required(settings):
            return redirect(url_for("batches"))
        if request.method == "GET":
            return render_template("login.html", failed=False)
        name = request.form.get("name", "").strip()
        password = request.form.get("password", "")
        address = request.remote_addr or "-"
        if guard.locked(name, address):
            guard.failed(name, address)
            audit(settings.out_dir, name[:40], "login", outcome="locked")
            abort(429)
        stored = settings.users.get(name)
        if not password_matches(stored or _DUMMY_HASH, password) or stored is None:
            guard.failed(name, address)
            audit(settings.out_dir, name[:40], "login_failed", outcome="refused")
            return render_template("login.html", failed=True), 401
        guard.succeeded(name, address)
        session.clear()  # a new session on login: nothing carried over from before
        session["user"] = name
        session["seen"] = time.time()
        session.permanent = True
        audit(settings.out_dir, name, "login")
        return redirect(url_for("batches"))

    @app.post("/logout")
    def logout() -> BaseResponse:
        who = current_user()
        session.clear()
        if who:
            audit(settings.out_dir, who, "logout")
        return redirect(url_for("login" if login_required(settings) else "batches"))


# ---------------------------------------------------------------------------------------------
# errors: a Japanese page, never a traceback or a path
# ---------------------------------------------------------------------------------------------


def _errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_: CSRFError) -> tuple[str, int]:
        return _error_page(400)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[str, int]:
        code = exc.code or 500
        return _error_page(code if code in ERROR_TEXTS else 400 if code < 500 else 500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[str, int]:
        # the class and the route only: a message or traceback may hold a name or a path
        rule = request.url_rule.rule if request.url_rule else "-"
        LOG.error("内部エラー %s %s", type(exc).__name__, rule,
                  exc_info=exc if os.environ.get(DEBUG_ENV) else None)
        return _error_page(500)


def _error_page(code: int) -> tuple[str, int]:
    title, text = ERROR_TEXTS[code]
    return render_template("error.html", code=code, title=title, text=text), code
