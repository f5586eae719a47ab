"""An OAuth 2.0 token endpoint and a protected API on 127.0.0.1, for the client-credentials tests.

``POST /oauth2/token`` grants a token to the one known client (HTTP basic, ``client_secret_basic``)
and counts the grants; the API paths answer 201 with a signup response when the bearer token is
the current one and 401 otherwise. Tests steer it through attributes: ``expires_in``,
``token_delay`` (to make callers overlap), ``token_failure`` (a status and body to answer
instead) and :meth:`revoke` (the current token stops working, as after a key rotation).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "TokenServer", "running_token_server"]

CLIENT_ID = "partner-client-7f3a"
CLIENT_SECRET = "CLIENT-SECRET-d41d8cd98f00b204"
SIGNUP_RESPONSE = {"organization_id": "org-1", "sso_url": "https://confluent.cloud/login/sso/x"}


class TokenServer:
    """State shared by the handler threads; ``url`` is ``http://127.0.0.1:<port>``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.expires_in: float | None = 3600
        self.token_delay = 0.0
        self.token_failure: tuple[int, Any] | None = None
        self.grants: list[dict[str, list[str]]] = []
        self.api_calls: list[str | None] = []  # the Authorization header of each API request
        self.current: str | None = None
        self.url = ""

    @property
    def tokens_issued(self) -> int:
        return len(self.grants)

    def revoke(self) -> None:
        with self.lock:
            self.current = None

    def grant(self, authorization: str | None, form: dict[str, list[str]]) -> tuple[int, Any]:
        time.sleep(self.token_delay)
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        with self.lock:
            if self.token_failure is not None:
                return self.token_failure
            if authorization != expected or form.get("grant_type") != ["client_credentials"]:
                return 401, {"error": "invalid_client"}
            self.grants.append(form)
            self.current = f"access-token-{len(self.grants)}"
            body: dict[str, Any] = {"access_token": self.current, "token_type": "Bearer"}
            if self.expires_in is not None:
                body["expires_in"] = self.expires_in
            return 200, body

    def call(self, authorization: str | None) -> tuple[int, Any]:
        with self.lock:
            self.api_calls.append(authorization)
            if self.current is not None and authorization == f"Bearer {self.current}":
                return 201, SIGNUP_RESPONSE
        return 401, {"errors": [{"status": "401", "code": "unauthenticated", "detail": "bad token"}]}


def _handler(server: TokenServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            authorization = self.headers.get("Authorization")
            if self.path == "/oauth2/token":
                status, answer = server.grant(authorization, parse_qs(body))
            else:
                status, answer = server.call(authorization)
            data = json.dumps(answer).encode() if not isinstance(answer, bytes) else answer
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Request-Id", f"req-{status}")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests look at the recorded state, not at a log."""

    return Handler


@contextmanager
def running_token_server() -> Iterator[TokenServer]:
    """A :class:`TokenServer` listening on a free port of 127.0.0.1 until the block ends."""
    state = TokenServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
