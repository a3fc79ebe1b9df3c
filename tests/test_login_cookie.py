"""The login cookie: a one-time, short-lived grant swaps for an HttpOnly cookie naming the login session; the routes
refuse cross-site requests; every way a login ends also ends the cookie's; the page never shows a token."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest
from starlette.routing import Router
from streamlit.testing.v1 import AppTest

from data_model.accounts.login import authenticate, log_out, resume_login
from data_model.accounts.login_cookie import (
    GRANT_SECONDS,
    is_grant_pending,
    names_live_session,
    open_cookie_grant,
    redeem_cookie_grant,
    request_address,
)
from data_model.accounts.users import change_own_password, create_user, reset_password, update_user
from data_model.basics.permissions import SYSTEM
from data_model.schema.db import write_session
from data_model.schema.models import utcnow
from ui import login_routes
from ui.login_routes import FORGET_PATH, SWAP_PATH, is_same_origin_request

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PASSWORD = "mat-khau-dai-1"
HOST = "127.0.0.1:9650"
ORIGIN = f"http://{HOST}"


@pytest.fixture
def user(engine) -> int:
    with write_session(engine) as s:
        create_user(session=s, actor=SYSTEM, username="quantri", password="quan-tri-dai-1", role="admin")
        return create_user(session=s, actor=SYSTEM, username="canbo", password=PASSWORD, role="official")


def _login(engine, address: str | None = None):
    result = authenticate(engine=engine, username="canbo", password=PASSWORD, address=address)
    assert result.ok
    return result


def _cookie_of(engine, result, address: str = "") -> str:
    grant = open_cookie_grant(engine=engine, token=result.token)
    token = redeem_cookie_grant(engine=engine, grant=grant, address=address)
    assert token and token != result.token and token != grant
    return token


def test_a_grant_swaps_once_for_a_cookie_naming_the_same_login(engine, user):
    result = _login(engine)
    grant = open_cookie_grant(engine=engine, token=result.token)
    assert is_grant_pending(engine=engine, grant=grant)
    cookie = redeem_cookie_grant(engine=engine, grant=grant, address="")
    assert cookie
    assert not is_grant_pending(engine=engine, grant=grant)
    assert redeem_cookie_grant(engine=engine, grant=grant, address="") == ""  # one-time
    resumed = resume_login(engine=engine, token=cookie)
    assert resumed.actor is not None and resumed.actor.login_session_id == result.actor.login_session_id


@pytest.mark.parametrize("case", ["expired", "other address", "logged out", "unknown", "too long"])
def test_a_grant_that_is_late_elsewhere_or_of_an_ended_login_gives_no_cookie(engine, user, case):
    result = _login(engine, address="10.0.0.5")
    grant = open_cookie_grant(engine=engine, token=result.token)
    address, now = "10.0.0.5", None
    if case == "expired":
        now = utcnow() + dt.timedelta(seconds=GRANT_SECONDS + 1)
    elif case == "other address":
        address = "203.0.113.9"
    elif case == "logged out":
        log_out(engine=engine, token=result.token)
    elif case == "unknown":
        grant = grant[::-1]
    else:
        grant = "x" * 200
    assert redeem_cookie_grant(engine=engine, grant=grant, address=address, now=now) == ""
    if case in ("expired", "other address"):  # any try uses the grant up
        assert redeem_cookie_grant(engine=engine, grant=grant, address="10.0.0.5") == ""


def test_no_grant_for_an_ended_login(engine, user):
    result = _login(engine)
    log_out(engine=engine, token=result.token)
    assert open_cookie_grant(engine=engine, token=result.token) == ""


@pytest.mark.parametrize("how, reason", [
    ("logout", "ended"), ("logout by cookie", "ended"), ("password change elsewhere", "ended"),
    ("admin reset", "ended"), ("deactivation", "inactive"), ("idle", "idle"),
])
def test_every_end_of_a_login_ends_its_cookie(engine, user, how, reason):
    result = _login(engine)
    cookie = _cookie_of(engine, result)
    now = None
    admin = authenticate(engine=engine, username="quantri", password="quan-tri-dai-1").actor
    if how == "logout":
        log_out(engine=engine, token=result.token)
    elif how == "logout by cookie":  # a tab that resumed from the cookie logs out
        log_out(engine=engine, token=cookie)
    elif how == "password change elsewhere":
        other = _login(engine)
        change_own_password(engine=engine, actor=other.actor, old_password=PASSWORD, new_password="mat-khau-moi-2")
    elif how == "admin reset":
        with write_session(engine) as s:
            reset_password(session=s, actor=admin, username="canbo", new_password="mat-khau-moi-3")
    elif how == "deactivation":
        with write_session(engine) as s:
            update_user(session=s, actor=admin, username="canbo", active=False)
    else:
        now = utcnow() + dt.timedelta(hours=5)
    assert resume_login(engine=engine, token=cookie, now=now).reason == reason
    assert resume_login(engine=engine, token=result.token, now=now).actor is None
    assert not names_live_session(engine=engine, token=cookie)


@pytest.mark.parametrize("host, address", [("127.0.0.1", ""), ("::1", ""), ("10.0.0.5", "10.0.0.5"), (None, "")])
def test_request_address_is_stored_like_a_login_records_it(host, address):
    assert request_address(host) == address


@pytest.mark.parametrize("origin, host, scheme, site, ok", [
    (ORIGIN, HOST, "http", "same-origin", True),
    (ORIGIN, HOST, "http", None, True),
    ("https://example.com", HOST, "http", None, False),
    ("http://127.0.0.1:9651", HOST, "http", None, False),  # same site, other port: not this app
    (ORIGIN, HOST, "https", None, False),
    (ORIGIN, HOST, "http", "same-site", False),
    (ORIGIN, HOST, "http", "cross-site", False),
    (None, HOST, "http", None, False),
    ("null", HOST, "http", None, False),
    (ORIGIN, None, "http", None, False),
])
def test_only_requests_from_a_page_of_this_site_are_taken(origin, host, scheme, site, ok):
    assert is_same_origin_request(origin=origin, host=host, scheme=scheme, fetch_site=site) is ok


def _call(path: str, *, body: dict | str = "", origin: str | None = ORIGIN, scheme: str = "http",
          content_type: str = "application/json", cookie: str = "", method: str = "POST") -> tuple[int, dict]:
    raw = (body if isinstance(body, str) else json.dumps(body)).encode()
    headers = [(b"host", HOST.encode()), (b"content-type", content_type.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if cookie:
        headers.append((b"cookie", f"bo_login={cookie}".encode()))
    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": headers, "scheme": scheme, "server": ("127.0.0.1", 9650), "client": ("127.0.0.1", 5000),
             "http_version": "1.1", "root_path": ""}
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": raw, "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(Router(routes=login_routes.ROUTES)(scope, receive, send))
    start = sent[0]
    head: dict[str, list[str]] = {}
    for k, v in start["headers"]:
        head.setdefault(k.decode().lower(), []).append(v.decode())
    return start["status"], head


@pytest.fixture
def routes_on(engine, monkeypatch):
    monkeypatch.setattr(login_routes, "_engine", lambda: engine)


def test_the_swap_route_sets_an_httponly_strict_cookie_once(engine, user, routes_on):
    result = _login(engine)
    grant = open_cookie_grant(engine=engine, token=result.token)
    status, head = _call(SWAP_PATH, body={"grant": grant})
    assert status == 204 and head["cache-control"] == ["no-store"]
    [cookie] = head["set-cookie"]
    token = cookie.split(";")[0].removeprefix("bo_login=")
    assert grant not in cookie and result.token not in cookie
    attrs = {a.strip().lower() for a in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/"} <= attrs and "secure" not in attrs
    assert resume_login(engine=engine, token=token).actor.login_session_id == result.actor.login_session_id
    assert _call(SWAP_PATH, body={"grant": grant})[0] == 403  # used up


def test_over_https_the_cookie_is_secure(engine, user, routes_on):
    grant = open_cookie_grant(engine=engine, token=_login(engine).token)
    status, head = _call(SWAP_PATH, body={"grant": grant}, origin=f"https://{HOST}", scheme="https")
    assert status == 204 and "secure" in head["set-cookie"][0].lower()


@pytest.mark.parametrize("change, status", [
    ({"origin": "https://evil.example"}, 403), ({"origin": None}, 403),
    ({"content_type": "text/plain"}, 415), ({"content_type": "application/x-www-form-urlencoded"}, 415),
])
def test_a_cross_site_swap_is_refused_and_leaves_the_grant_alone(engine, user, routes_on, change, status):
    grant = open_cookie_grant(engine=engine, token=_login(engine).token)
    code, head = _call(SWAP_PATH, body={"grant": grant}, **change)
    assert code == status and "set-cookie" not in head
    assert is_grant_pending(engine=engine, grant=grant)


@pytest.mark.parametrize("body", ['{"grant": 5}', "not json", '["x"]', "{}", json.dumps({"grant": "x" * 2000})])
def test_a_malformed_swap_is_refused(engine, user, routes_on, body):
    code, head = _call(SWAP_PATH, body=body)
    assert code == 403 and "set-cookie" not in head


def test_only_post_reaches_the_routes(routes_on):
    assert _call(SWAP_PATH, method="GET")[0] == 405
    assert _call(FORGET_PATH, method="GET")[0] == 405


def test_forget_drops_only_a_cookie_whose_login_ended(engine, user, routes_on):
    result = _login(engine)
    cookie = _cookie_of(engine, result)
    assert _call(FORGET_PATH, body={}, cookie=cookie)[0] == 409  # e.g. another tab logged in again meanwhile
    assert _call(FORGET_PATH, body={}, cookie=cookie, origin="https://evil.example")[0] == 403
    assert resume_login(engine=engine, token=cookie).actor is not None  # the route logs nobody out
    log_out(engine=engine, token=result.token)
    status, head = _call(FORGET_PATH, body={}, cookie=cookie)
    assert status == 204 and "max-age=0" in head["set-cookie"][0].lower()


# ---------------------------------------------------------------- the page's side (AppTest)

def _app(db_url: str) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.run()
    return at


def _html(at: AppTest) -> list[str]:
    return [e.proto.body for e in at.get("html")]


def test_a_login_hands_the_browser_a_grant_in_a_post_body_never_a_token(engine, db_url, user, app_env, caplog):
    app_env(db_url)
    at = _app(db_url)
    at.text_input(key="login_username").input("canbo")
    at.text_input(key="login_password").input(PASSWORD)
    next(b for b in at.button if "login_form" in (b.key or "")).click()
    at.run()
    token = at.session_state["auth_token"]
    grant = at.session_state["auth_cookie_grant"]
    [snippet] = [h for h in _html(at) if SWAP_PATH in h]
    assert f'fetch("{SWAP_PATH}"' in snippet and grant in snippet and token not in snippet
    assert "?" not in snippet.split("fetch(")[1].split(",")[0]  # nothing in the URL
    assert token not in caplog.text and grant not in caplog.text
    redeem_cookie_grant(engine=engine, grant=grant, address="")
    at.run()
    assert not [h for h in _html(at) if SWAP_PATH in h]  # swapped: not offered again


def test_a_new_tab_with_the_cookie_is_logged_in_and_an_ended_login_is_not(engine, db_url, user, app_env,
                                                                          monkeypatch):
    app_env(db_url)
    result = _login(engine)
    cookie = _cookie_of(engine, result)
    monkeypatch.setattr("ui.login_cookie.read_login_cookie", lambda: cookie)
    monkeypatch.setattr("ui.auth.read_login_cookie", lambda: cookie)
    at = _app(db_url)
    assert at.session_state["auth_token"] == cookie
    assert not [h for h in _html(at) if SWAP_PATH in h]
    log_out(engine=engine, token=result.token)  # in the other tab
    at.run()
    assert "auth_token" not in at.session_state
    # the page asks the browser to drop the cookie (drawn by the router, or by its next run)
    assert [h for h in _html(at) if FORGET_PATH in h] or "auth_cookie_forget" in at.session_state
    fresh = _app(db_url)  # a reload after the logout
    assert "auth_token" not in fresh.session_state
