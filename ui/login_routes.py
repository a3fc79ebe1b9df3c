"""HTTP routes of the login cookie, served by st.App next to the dashboard: swap a one-time grant for an HttpOnly
cookie, and forget a cookie whose login session has ended. Neither logs anyone in or out by itself."""
from __future__ import annotations

import functools
import json

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from data_model.accounts.login_cookie import COOKIE_NAME, names_live_session, redeem_cookie_grant, request_address
from data_model.schema.db import build_engine
from data_model.schema.settings import get_settings

SWAP_PATH = "/login-cookie/swap"
FORGET_PATH = "/login-cookie/forget"
MAX_BODY = 1024
_NO_STORE = {"Cache-Control": "no-store"}


@functools.cache
def _engine() -> Engine:
    settings = get_settings()
    return build_engine(url=settings.database_url, busy_timeout_s=settings.sqlite_busy_timeout_s)


def is_same_origin_request(*, origin: str | None, host: str | None, scheme: str, fetch_site: str | None) -> bool:
    """Whether a request comes from a page of this very site (Origin equal to scheme://Host, and the browser's
    Sec-Fetch-Site, when sent, says so)."""
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    return bool(origin and host) and origin == f"{scheme}://{host}"


def _refusal(request: Request) -> Response | None:
    same = is_same_origin_request(origin=request.headers.get("origin"), host=request.headers.get("host"),
                                  scheme=request.url.scheme, fetch_site=request.headers.get("sec-fetch-site"))
    if not same:
        return Response(status_code=403, headers=_NO_STORE)
    # a JSON body needs a CORS preflight from any other origin, which these routes never answer
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return Response(status_code=415, headers=_NO_STORE)
    return None


def _cookie_options(request: Request) -> dict:
    # behind the proxy the scheme is the one nginx saw (X-Forwarded-Proto, trusted from 127.0.0.1 by Uvicorn)
    return {"path": "/", "httponly": True, "samesite": "strict", "secure": request.url.scheme == "https"}


async def swap_grant(request: Request) -> Response:
    """POST {"grant": …} from the page just logged in: 204 with the login cookie, or 403."""
    refused = _refusal(request)
    if refused is not None:
        return refused
    body = await request.body()
    try:
        grant = json.loads(body)["grant"] if len(body) <= MAX_BODY else ""
    except (ValueError, TypeError, KeyError):
        grant = ""
    address = request_address(request.client.host if request.client else None)
    token = await run_in_threadpool(redeem_cookie_grant, engine=_engine(), grant=grant if isinstance(grant, str)
                                    else "", address=address) if grant else ""
    if not token:
        return Response(status_code=403, headers=_NO_STORE)
    response = Response(status_code=204, headers=_NO_STORE)
    response.set_cookie(COOKIE_NAME, token, **_cookie_options(request))
    return response


async def forget_cookie(request: Request) -> Response:
    """POST from a page whose login ended: the cookie goes when it names no live session (204), else stays (409)."""
    refused = _refusal(request)
    if refused is not None:
        return refused
    token = request.cookies.get(COOKIE_NAME, "")
    if token and await run_in_threadpool(names_live_session, engine=_engine(), token=token):
        return Response(status_code=409, headers=_NO_STORE)  # another tab has logged in again meanwhile
    response = Response(status_code=204, headers=_NO_STORE)
    response.delete_cookie(COOKIE_NAME, **_cookie_options(request))
    return response


ROUTES = [Route(SWAP_PATH, swap_grant, methods=["POST"]), Route(FORGET_PATH, forget_cookie, methods=["POST"])]
