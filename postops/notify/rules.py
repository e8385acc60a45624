"""Pure rules of notifications: recipients, masking, dedupe keys. No Django import.

Domain.md §1 (Circular 17/2017/TT-BTTTT, tracking duty): tell the citizen when the dossier
reached the agency and the result date; tell the agency when the result reached the citizen
(or came back to it undelivered).
"""

from __future__ import annotations

import re

from postops.core.logredact import redact_personal_data

# The template keys (templates/notify/<key>.txt and <key>_subject.txt).
DOSSIER_FILED = "dossier_filed"
DOSSIER_DELIVERED = "dossier_delivered"
DOSSIER_RETURNED = "dossier_returned_to_agency"
TEMPLATE_KEYS = (DOSSIER_FILED, DOSSIER_DELIVERED, DOSSIER_RETURNED)

# What a recipient address is: an e-mail address or a phone number (SMS, Zalo ZNS).
EMAIL = "email"
PHONE = "phone"

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def phone_msisdn(phone: str) -> str:
    """A Vietnamese phone number as gateways want it: country code, no ``+``, digits only.

    ``"0912 345 678"`` → ``"84912345678"``; ``"+84 912345678"`` → ``"84912345678"``.
    ``""`` when it is not a 9- or 10-digit national number after the prefix.
    """
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("84") and len(digits) in (11, 12):
        national = digits[2:]
    elif digits.startswith("0") and len(digits) in (10, 11):
        national = digits[1:]
    else:
        return ""
    if national.startswith("0"):
        return ""
    return "84" + national


def is_email(address: str) -> bool:
    return bool(_EMAIL_RE.match(address or ""))


def mask_recipient(address: str) -> str:
    """A recipient as staff pages show it: enough to tell two apart, not enough to contact.

    E-mail: first character of the local part, then ``***``, then the domain
    (``hoa.nguyen@example.vn`` → ``h***@example.vn``). Phone: the first 3 and last 2 digits
    (``84912345678`` → ``849******78``). Anything else is masked completely.
    """
    address = address or ""
    if "@" in address:
        local, _, domain = address.rpartition("@")
        return f"{local[:1]}***@{domain}" if local else "***"
    digits = re.sub(r"\D", "", address)
    if len(digits) >= 8:
        return f"{digits[:3]}{'*' * (len(digits) - 5)}{digits[-2:]}"
    return "*" * len(address)


def dedupe_key(source: str, source_id: object, event: str, kind: str) -> str:
    """One message per source, event and kind of address (phone or e-mail): a replayed event
    or a second run of a trigger finds the key taken and adds nothing.

    The kind, not the channel, is in the key: switching phones from SMS to Zalo between two
    replays must not send the citizen the same notice twice."""
    return f"{source}:{source_id}:{event}:{kind}"[:200]


def safe_error(text: str, recipient: str = "", limit: int = 500) -> str:
    """An error text fit to store and show: the recipient replaced by its mask, ID numbers
    and phone numbers redacted (a gateway or SMTP server may quote them), cut to ``limit``."""
    text = str(text or "")
    if recipient:
        text = text.replace(recipient, mask_recipient(recipient))
    return redact_personal_data(text)[:limit]
