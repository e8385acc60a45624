"""Outgoing HTTP POSTs to partner systems (webhook receivers, SMS and Zalo gateways).

Standard library only (no extra dependency). Redirects are not followed: a 3xx comes back as
the answer, so a receiver cannot bounce a signed request (or a gateway token) elsewhere.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

# Enough for any gateway's JSON answer; a larger body is cut (never kept whole in memory).
_BODY_MAX = 64 * 1024


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes = b""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is answered as an HTTPError: the caller sees the 3xx status


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> HttpAnswer:
    """POST ``body`` and return the status and (the start of) the answer's body.

    Raises ``OSError`` on network failures (refused, timed out, DNS) and ``ValueError`` on a
    malformed URL; an HTTP error status is an answer, not an exception.
    """
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with opener.open(request, timeout=timeout) as response:
            return HttpAnswer(response.status, response.read(_BODY_MAX))
    except urllib.error.HTTPError as exc:
        try:
            content = exc.read(_BODY_MAX)
        except OSError:
            content = b""
        return HttpAnswer(exc.code, content or b"")
