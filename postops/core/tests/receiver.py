"""A local HTTP receiver for tests of outgoing POSTs (webhooks, SMS and Zalo gateways).

Listens on 127.0.0.1 (no internet), records each request and answers from a queue. Not a
test module itself: fixtures build one and close it.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalReceiver:
    """Each request is recorded as ``{"path", "headers" (lower-case names), "body" (bytes),
    "json" (the parsed body, or None)}``. The answer: the next ``replies`` entry
    ``(status, body)`` (a dict body is sent as JSON), else the next of ``statuses`` with
    ``default_body``, else 200 with ``default_body``. A 3xx carries ``Location: redirect_to``.
    """

    def __init__(self, path: str = "/", default_body: bytes | dict = b"ok"):
        self.requests: list[dict] = []
        self.replies: list[tuple[int, bytes | dict]] = []
        self.statuses: list[int] = []
        self.redirect_to = ""
        self.default_body = default_body
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                try:
                    parsed = json.loads(body)
                except ValueError:
                    parsed = None
                receiver.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                        "json": parsed,
                    }
                )
                status, content = receiver._next_reply()
                raw = json.dumps(content).encode() if isinstance(content, dict) else content
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", receiver.redirect_to)
                if isinstance(content, dict):
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _next_reply(self) -> tuple[int, bytes | dict]:
        if self.replies:
            return self.replies.pop(0)
        if self.statuses:
            return self.statuses.pop(0), self.default_body
        return 200, self.default_body

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
