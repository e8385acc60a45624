"""Channels: how a notification leaves PostOps. A small interface, registered by settings.

``POSTOPS_NOTIFY_CHANNELS`` maps a channel name to ``{"BACKEND": dotted path, "OPTIONS":
{...}}``; the class is built with the options as keyword arguments. Every channel has

- ``address_kind``: ``"email"`` or ``"phone"`` (which recipient address it takes),
- ``enabled``: ``False`` when it is not configured (messages are then not written for it),
- ``send(message) -> Result``: one attempt, never raising for a delivery failure.

E-mail goes through Django's mail backend (console in development, locmem in tests, SMTP in
production). SMS and Zalo ZNS post JSON to an HTTP gateway whose URL and token come from the
environment; both are disabled until a URL is set. Tests use a local HTTP server; nothing in
the code knows a provider's address.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from postops.core.http import http_post

from . import rules


@dataclass(frozen=True)
class OutgoingMessage:
    """What a channel sends: the rendered text and the template's data (for template-based
    channels such as Zalo ZNS). ``reference`` is the outbox id: gateways drop repeats by it."""

    reference: str
    recipient: str
    template_key: str
    subject: str
    body: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    ok: bool
    error: str = ""
    provider_id: str = ""


class Channel:
    """Base of the channels (the interface, with what every channel shares)."""

    address_kind = rules.EMAIL

    def __init__(self, name: str, **options):
        self.name = name

    @property
    def enabled(self) -> bool:
        return True

    def send(self, message: OutgoingMessage) -> Result:  # pragma: no cover - interface
        raise NotImplementedError


class EmailChannel(Channel):
    """E-mail through Django's configured mailer (``MAILERS``)."""

    address_kind = rules.EMAIL

    def __init__(self, name: str, *, from_email: str = "", enabled: bool = True, **options):
        super().__init__(name)
        self.from_email = from_email or settings.DEFAULT_FROM_EMAIL
        self._enabled = enabled

    @property
    def enabled(self) -> bool:
        return self._enabled

    def send(self, message: OutgoingMessage) -> Result:
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=self.from_email,
            to=[message.recipient],
            headers={"X-PostOps-Notification": message.reference},
        )
        sent = email.send(fail_silently=False)
        return Result(ok=sent == 1, error="" if sent == 1 else "mail backend sent nothing")


class HttpGatewayChannel(Channel):
    """Base of the channels that post JSON to a provider's gateway with a bearer token."""

    address_kind = rules.PHONE
    user_agent = "PostOps-Notify/1"

    def __init__(self, name: str, *, url: str = "", token: str = "", timeout: float = 10, **o):
        super().__init__(name)
        self.url = url
        self.token = token
        self.timeout = float(timeout)

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    def headers(self) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": self.user_agent,
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def payload(self, message: OutgoingMessage) -> dict | Result:
        raise NotImplementedError  # pragma: no cover - interface

    def answer(self, status: int, body: bytes) -> Result:
        """2xx is success; the provider's message id is read from ``id`` when given."""
        if not 200 <= status < 300:
            return Result(ok=False, error=f"HTTP {status}")
        return Result(ok=True, provider_id=str(_json(body).get("id", ""))[:100])

    def send(self, message: OutgoingMessage) -> Result:
        if not self.enabled:
            return Result(ok=False, error=f"channel {self.name} is not configured")
        payload = self.payload(message)
        if isinstance(payload, Result):
            return payload
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            answer = http_post(self.url, body, self.headers(), self.timeout)
        except (OSError, ValueError) as exc:  # refused, timed out, DNS, bad URL
            return Result(ok=False, error=f"{type(exc).__name__}: {exc}")
        return self.answer(answer.status, answer.body)


class SmsGatewayChannel(HttpGatewayChannel):
    """SMS through an HTTP gateway (the province's brandname SMS contract).

    ``POST <url>`` with ``{"to": "84912345678", "text": "...", "reference": "<outbox id>"}``
    and ``Authorization: Bearer <token>``; any 2xx is accepted, ``id`` in the answer is kept.
    """

    def payload(self, message: OutgoingMessage) -> dict | Result:
        to = rules.phone_msisdn(message.recipient)
        if not to:
            return Result(ok=False, error="not a Vietnamese phone number")
        return {"to": to, "text": message.body.strip(), "reference": message.reference}


class ZaloZnsChannel(HttpGatewayChannel):
    """Zalo Notification Service (ZNS): a template approved by Zalo, filled with data.

    ``POST <url>`` with ``{"phone": "84912345678", "template_id": "...", "template_data":
    {...}, "tracking_id": "<outbox id>"}`` and the OA access token in the ``access_token``
    header; Zalo answers HTTP 200 with ``{"error": 0, "data": {"msg_id": ...}}`` on success
    and a non-zero ``error`` otherwise. ``templates`` maps PostOps template keys to the
    approved ZNS template ids; a key without one cannot be sent through ZNS.
    """

    def __init__(self, name: str, *, templates: dict | None = None, **options):
        super().__init__(name, **options)
        self.templates = dict(templates or {})

    @property
    def enabled(self) -> bool:
        return bool(self.url and self.token)

    def supports(self, template_key: str) -> bool:
        return self.enabled and bool(self.templates.get(template_key))

    def headers(self) -> dict[str, str]:
        headers = super().headers()
        headers.pop("Authorization", None)
        headers["access_token"] = self.token
        return headers

    def payload(self, message: OutgoingMessage) -> dict | Result:
        to = rules.phone_msisdn(message.recipient)
        if not to:
            return Result(ok=False, error="not a Vietnamese phone number")
        template_id = self.templates.get(message.template_key)
        if not template_id:
            return Result(ok=False, error=f"no ZNS template for {message.template_key}")
        return {
            "phone": to,
            "template_id": template_id,
            "template_data": {k: str(v) for k, v in message.data.items()},
            "tracking_id": message.reference,
        }

    def answer(self, status: int, body: bytes) -> Result:
        if not 200 <= status < 300:
            return Result(ok=False, error=f"HTTP {status}")
        data = _json(body)
        if data.get("error", -1) != 0:
            return Result(ok=False, error=f"ZNS error {data.get('error')}: {data.get('message')}")
        inner = data.get("data") if isinstance(data.get("data"), dict) else {}
        return Result(ok=True, provider_id=str(inner.get("msg_id", ""))[:100])


def _json(body: bytes) -> dict:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def channel_get(name: str) -> Channel | None:
    """The channel registered as ``name`` (built from the settings each time, so a test's
    settings override applies), or ``None`` when there is none."""
    spec = getattr(settings, "POSTOPS_NOTIFY_CHANNELS", {}).get(name)
    if not spec:
        return None
    return import_string(spec["BACKEND"])(name, **spec.get("OPTIONS", {}))


def channels_all() -> list[Channel]:
    return [
        channel
        for name in getattr(settings, "POSTOPS_NOTIFY_CHANNELS", {})
        if (channel := channel_get(name)) is not None
    ]


def channel_for(kind: str, template_key: str) -> Channel | None:
    """The channel a message to an address of ``kind`` goes through: the first enabled one
    in ``POSTOPS_NOTIFY_PREFERENCE`` (Zalo before SMS by default, as ZNS costs less and
    shows the post office's name) that can send ``template_key``."""
    order = getattr(settings, "POSTOPS_NOTIFY_PREFERENCE", [])
    for name in order:
        channel = channel_get(name)
        if channel is None or channel.address_kind != kind or not channel.enabled:
            continue
        supports = getattr(channel, "supports", None)
        if supports is not None and not supports(template_key):
            continue
        return channel
    return None
