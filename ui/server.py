"""The ASGI side of the dashboard (st.App): the client's real address for every request, and the process identity."""
from __future__ import annotations

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from data_model.accounts.clients import Network, is_local_client, parse_trusted_proxies, resolve_client_address
from data_model.schema.clock import utc_instant
from data_model.schema.identity import IDENTITY_PATH, describe_process
from data_model.schema.settings import get_settings
from ui.login_routes import ROUTES as LOGIN_COOKIE_ROUTES

STARTED_AT = utc_instant()  # imported once, as the server starts


class ClientAddressMiddleware:
    """Replace each request's client with the one resolve_client_address finds (Streamlit's ip_address reads it)."""

    def __init__(self, app: ASGIApp, trusted: tuple[Network, ...]) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            peer = scope.get("client")
            host = resolve_client_address(peer=peer[0] if peer else None, headers=scope.get("headers") or [],
                                          trusted=self.trusted)
            if host is not None and (peer is None or host != peer[0]):
                scope = {**scope, "client": (host, 0)}
        await self.app(scope, receive, send)


async def identity(request: Request) -> Response:
    """This process's identity, for deploy/province.sh on this machine only."""
    if not is_local_client(address=request.client.host if request.client else None):
        return PlainTextResponse("Not Found", status_code=404)
    port = (request.scope.get("server") or ("", 0))[1]  # the socket the request came in on
    return JSONResponse(describe_process(port=port, database_url=get_settings().database_url, started_at=STARTED_AT))


def build_middleware() -> list[Middleware]:
    """The middleware of the dashboard's st.App."""
    return [Middleware(ClientAddressMiddleware, trusted=parse_trusted_proxies(text=get_settings().trusted_proxy))]


def build_routes() -> list[Route]:
    """The dashboard's own HTTP routes next to Streamlit's: the process identity and the login cookie's exchange."""
    return [Route(IDENTITY_PATH, identity, methods=["GET"]), *LOGIN_COOKIE_ROUTES]
