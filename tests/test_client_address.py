"""The client's address: the peer's own, or the last X-Forwarded-For hop of TRUSTED_PROXY; the process identity."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import os

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from data_model.accounts.clients import (
    UNKNOWN_CLIENT,
    TrustedProxyError,
    is_local_client,
    parse_trusted_proxies,
    resolve_client_address,
)
from data_model.accounts.login import login_demo
from data_model.schema.clock import utc_instant
from data_model.schema.identity import describe_process, find_identity_mismatch, fingerprint_database

NGINX = parse_trusted_proxies(text="127.0.0.1")


def _xff(*values: str) -> list[tuple[bytes, bytes]]:
    return [(b"x-forwarded-for", v.encode()) for v in values]


@pytest.mark.parametrize("peer, headers, trusted, client", [
    # nginx (the trusted proxy) says who the client is: the last hop it added, whatever the client wrote before it
    ("127.0.0.1", _xff("192.0.2.7"), NGINX, "192.0.2.7"),
    ("127.0.0.1", _xff("203.0.113.9, 192.0.2.7"), NGINX, "192.0.2.7"),
    ("127.0.0.1", _xff("203.0.113.9", "192.0.2.7"), NGINX, "192.0.2.7"),  # two headers: the last one's last hop
    ("127.0.0.1", _xff("192.0.2.7, 127.0.0.1"), NGINX, "127.0.0.1"),  # never walks back past the last hop
    ("127.0.0.1", _xff("not-an-address"), NGINX, UNKNOWN_CLIENT),
    ("127.0.0.1", [], NGINX, "127.0.0.1"),  # a browser on this machine, straight to the app
    # any other peer: its own address, whatever it claims
    ("192.0.2.7", _xff("127.0.0.1"), NGINX, "192.0.2.7"),
    ("127.0.0.2", _xff("127.0.0.1"), NGINX, "127.0.0.2"),
    ("10.0.0.5", _xff("192.0.2.7"), parse_trusted_proxies(text="10.0.0.0/24"), "192.0.2.7"),
    # a proxy on this machine that is not trusted: the client behind it is unknown, never this machine
    ("127.0.0.1", _xff("192.0.2.7"), (), UNKNOWN_CLIENT),
    ("127.0.0.1", [(b"X-Real-IP", b"192.0.2.7")], (), UNKNOWN_CLIENT),
    ("127.0.0.1", [(b"forwarded", b"for=192.0.2.7")], (), UNKNOWN_CLIENT),
    ("127.0.0.1", [], (), "127.0.0.1"),
    (None, _xff("192.0.2.7"), NGINX, None),
])
def test_resolve_client_address(peer, headers, trusted, client):
    assert resolve_client_address(peer=peer, headers=headers, trusted=trusted) == client


@pytest.mark.parametrize("address, local", [
    (None, True), ("", True), ("127.0.0.1", True), ("::1", True),
    ("127.0.0.2", False), ("192.0.2.7", False), (UNKNOWN_CLIENT, False),
])
def test_is_local_client(address, local):
    assert is_local_client(address=address) is local


def test_trusted_proxy_setting():
    assert parse_trusted_proxies(text="") == ()
    assert [str(n) for n in parse_trusted_proxies(text=" 127.0.0.1, ::1 ,10.0.0.0/24")] == [
        "127.0.0.1/32", "::1/128", "10.0.0.0/24"]
    with pytest.raises(TrustedProxyError, match="TRUSTED_PROXY"):
        parse_trusted_proxies(text="127.0.0.1,nginx")


def _echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(request.client.host)


class _Client:
    """One HTTP request at a time straight into the ASGI app, from a peer at 127.0.0.1."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
                 "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
                 "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
                 "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 9150)}
        sent: list[dict] = []

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            sent.append(message)

        asyncio.run(self.app(scope, receive, send))
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:]).decode()


def _app(trusted: str, monkeypatch) -> _Client:
    monkeypatch.setenv("TRUSTED_PROXY", trusted)
    from ui.server import build_middleware, build_routes

    return _Client(Starlette(routes=[Route("/echo", _echo), *build_routes()], middleware=build_middleware()))


def test_the_middleware_gives_every_request_the_resolved_client(monkeypatch):
    client = _app("127.0.0.1", monkeypatch)
    assert client.get("/echo") == (200, "127.0.0.1")
    assert client.get("/echo", headers={"X-Forwarded-For": "203.0.113.9, 192.0.2.7"}) == (200, "192.0.2.7")
    assert _app("", monkeypatch).get("/echo", headers={"X-Forwarded-For": "192.0.2.7"}) == (200, UNKNOWN_CLIENT)


def test_identity_answers_this_machine_only(monkeypatch, db_url):
    monkeypatch.setenv("DATABASE_URL", db_url)
    client = _app("127.0.0.1", monkeypatch)
    status, body = client.get("/api/identity")
    answer = json.loads(body)
    assert status == 200 and answer["port"] == 9150  # the port the request came in on
    assert answer["pid"] == os.getpid() and answer["database"] == fingerprint_database(url=db_url)
    assert dt.datetime.fromisoformat(answer["started_at"]) <= utc_instant()
    # through nginx for a browser elsewhere: nothing to see
    assert client.get("/api/identity", headers={"X-Forwarded-For": "192.0.2.7"})[0] == 404


def test_identity_mismatch_names_what_differs(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    since = utc_instant()
    me = describe_process(port=9150, database_url=url, started_at=since)
    assert find_identity_mismatch(answer=me, pid=os.getpid(), port=9150, database_url=url, since=since) is None
    cases = {
        "pid": (dict(me, pid=1), "tiến trình khác"),
        "port": (dict(me, port=9151), "cổng 9151"),
        "database": (dict(me, database=fingerprint_database(url=f"sqlite:///{tmp_path / 'b.sqlite'}")),
                     "cơ sở dữ liệu khác"),
        "started_at": (dict(me, started_at=(since - dt.timedelta(hours=1)).isoformat()), "đã chạy từ trước"),
    }
    for what, (answer, said) in cases.items():
        found = find_identity_mismatch(answer=answer, pid=os.getpid(), port=9150, database_url=url, since=since)
        assert found is not None and said in found.render("vi"), what


def test_fingerprint_names_the_database_not_the_spelling(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert fingerprint_database(url="sqlite:///a.sqlite") == fingerprint_database(url=f"sqlite:///{tmp_path}/a.sqlite")
    assert fingerprint_database(url="postgresql+psycopg://u:one@h/db") != fingerprint_database(
        url="postgresql+psycopg://u:two@h/db")


def test_demo_login_is_refused_to_a_browser_elsewhere(demo_engine):
    refused = login_demo(engine=demo_engine, username="demo_admin", address="192.0.2.7")
    assert not refused.ok and "chính máy chủ" in refused.message.render("vi")
    assert not login_demo(engine=demo_engine, username="demo_admin", address=UNKNOWN_CLIENT).ok
    assert login_demo(engine=demo_engine, username="demo_admin", address=None).ok
