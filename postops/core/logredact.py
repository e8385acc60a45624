"""Keep personal data out of log lines.

Rule: logs are read by operators and shipped to other systems, so they must never carry
personal data. Law 91/2025/QH15 on personal data protection and Decree 356/2025 treat the
citizen ID number as basic personal data and require minimisation; phone numbers identify a
person as well. This module masks both in any text, and drops URL query strings (search forms
and tracking links put ID numbers, phones and names there).

Pure functions, no Django import: the same filter serves Django's ``LOGGING`` and gunicorn's
``logconfig_dict`` (deploy/gunicorn.conf.py).
"""

import logging
import re

ID_MASK = "[id-redacted]"
PHONE_MASK = "[phone-redacted]"
QUERY_MASK = "?[query-redacted]"

# A run of digits glued to letters or other digits is part of something else (an S10 item
# number such as RR473124829GB, a hex request id), so both patterns demand a boundary that is
# neither a letter nor a digit. Underscore and punctuation count as boundaries: when in doubt a
# log line loses a number rather than leaks one.
_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"

# Citizen ID number (căn cước): exactly 12 digits, PPP G YY RRRRRR (domain.md §4).
_ID_NUMBER = re.compile(_EDGE_BEFORE + r"\d{12}" + _EDGE_AFTER)

# Vietnamese phone numbers: a national prefix 0 or the country code 84 / +84, then 9 digits
# (mobile, e.g. 0912 345 678) or 10 digits (landline with a 3-digit area code, e.g.
# 0205 3871 234), optionally grouped by single spaces, dots or dashes. No dot right after the
# prefix, so a decimal such as 0.123456789 stays readable.
_PHONE = re.compile(
    r"(?<![0-9A-Za-z+])"
    r"(?:\+84|84|0)[ -]?"
    r"\d(?:[ .-]?\d){8,9}" + _EDGE_AFTER
)

# A query string after a path or URL, up to the next whitespace or quote.
_QUERY = re.compile(r"(?P<path>(?:https?://[^\s/?\"']+)?/[^\s?\"']*)\?[^\s\"']+")


def redact_personal_data(text: str) -> str:
    """Mask 12-digit citizen ID numbers and Vietnamese phone numbers in ``text``."""
    # Phones first: "+84" and ten digits would otherwise look like a 12-digit ID. An ID number
    # starts with 0 and has eleven more digits, one too many for a phone.
    text = _PHONE.sub(PHONE_MASK, text)
    return _ID_NUMBER.sub(ID_MASK, text)


def strip_query_strings(text: str) -> str:
    """Replace the query string of every path or URL in ``text``: ``/a?b=1`` -> ``/a?[...]``."""
    return _QUERY.sub(lambda m: m.group("path") + QUERY_MASK, text)


def redact_log_text(text: str) -> str:
    """Everything a log line must lose: query strings first, then ID numbers and phones."""
    return redact_personal_data(strip_query_strings(text))


class RedactPersonalDataFilter(logging.Filter):
    """Logging filter applying :func:`redact_log_text` to the message, traceback and stack.

    The message is rendered once (``msg % args``) and stored back without arguments, so a
    formatter further down cannot bring the raw values back. Tracebacks are rendered here and
    cached in ``exc_text``, which ``logging.Formatter`` uses instead of formatting again.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not drop the line
            message = str(record.msg)
        record.msg = redact_log_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_log_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_log_text(record.stack_info)
        return True
