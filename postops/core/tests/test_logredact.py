import io
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postops.core.logredact import (
    ID_MASK,
    PHONE_MASK,
    QUERY_MASK,
    RedactPersonalDataFilter,
    redact_log_text,
    redact_personal_data,
    strip_query_strings,
)

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
# Words that never contain digits, so they cannot form a number themselves.
words = st.text(alphabet="abcxyzĐđăâơư ,:;()[]", max_size=20)


@st.composite
def id_numbers(draw):
    # A citizen ID starts with its birth-registration province code 001–096 (domain.md §4), so
    # its first digit is 0; twelve bare digits starting "84" are a phone in +84 form.
    return "0" + "".join(draw(st.lists(digits, min_size=11, max_size=11)))


@st.composite
def phones(draw):
    """Vietnamese phone numbers as people write them: prefix, 9 or 10 digits, groupings."""
    prefix = draw(st.sampled_from(["0", "84", "+84", "+84 ", "0"]))
    body = draw(st.lists(digits, min_size=9, max_size=10))
    separator = draw(st.sampled_from(["", " ", ".", "-"]))
    groups = [body[i : i + 3] for i in range(0, len(body), 3)]
    return prefix + separator.join("".join(g) for g in groups)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CCCD 001203012345 hỏi", f"CCCD {ID_MASK} hỏi"),
        ("cccd=079088001234;", f"cccd={ID_MASK};"),
        ("gọi 0912345678", f"gọi {PHONE_MASK}"),
        ("gọi 0912 345 678.", f"gọi {PHONE_MASK}."),
        ("gọi 0912.345.678", f"gọi {PHONE_MASK}"),
        ("gọi +84 912 345 678", f"gọi {PHONE_MASK}"),
        ("gọi +84912345678", f"gọi {PHONE_MASK}"),
        ("bàn 0205 3871 234", f"bàn {PHONE_MASK}"),
        ("máy bàn 02053871234", f"máy bàn {PHONE_MASK}"),
    ],
)
def test_redact_personal_data_masks_ids_and_phones(text, expected):
    assert redact_personal_data(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "item RR473124829GB accepted",  # S10 item number: digits glued to letters
        "item EB125966888VN at office 240000",  # 6-digit office code
        "postal code 25000",  # 5-digit postal code
        "amount 1.250.000 ₫",
        "took 0.123456789 s",  # a decimal, not a phone
        "at 2025-07-01 10:00:00",
        "request 3f2a0012030123456789abcdef012345",  # hex request id
        "a 13-digit run 0012030123456 is not an ID",
    ],
)
def test_redact_personal_data_keeps_other_numbers(text):
    assert redact_personal_data(text) == text


@given(words, id_numbers(), words)
def test_any_id_number_between_words_is_masked(before, number, after):
    redacted = redact_personal_data(f"{before} {number} {after}")
    assert redacted == f"{before} {ID_MASK} {after}"


@given(words, phones(), words)
def test_any_phone_between_words_is_masked(before, phone, after):
    redacted = redact_personal_data(f"{before} {phone} {after}")
    assert redacted == f"{before} {PHONE_MASK} {after}"
    assert not any(char.isdigit() for char in redacted)


@given(st.text(max_size=80))
def test_redaction_is_idempotent(text):
    once = redact_log_text(text)
    assert redact_log_text(once) == once


@given(st.text(alphabet=st.characters(blacklist_categories=["Nd"]), max_size=80))
def test_text_without_digits_or_queries_is_unchanged(text):
    assert redact_personal_data(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '"GET /tracking/?q=0912345678 HTTP/1.1" 200 512',
            f'"GET /tracking/{QUERY_MASK} HTTP/1.1" 200 512',
        ),
        ("Not Found: /a/b?x=1&y=2", f"Not Found: /a/b{QUERY_MASK}"),
        ("https://postops.example.vn/x?name=An", f"https://postops.example.vn/x{QUERY_MASK}"),
        ("no query /a/b here? yes", "no query /a/b here? yes"),
    ],
)
def test_strip_query_strings(text, expected):
    assert strip_query_strings(text) == expected


def _logger_with_filter():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactPersonalDataFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("postops.tests.logredact")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_filter_redacts_arguments_tracebacks_and_stacks():
    logger, stream = _logger_with_filter()
    logger.info("citizen %s phone %s path %s", "001203012345", "0912345678", "/p?id=1")
    try:
        raise ValueError("bad id 079088001234")
    except ValueError:
        logger.exception("failed for %s", "0987654321")
    logger.warning("stack", stack_info=True)
    output = stream.getvalue()
    assert output.startswith(f"INFO citizen {ID_MASK} phone {PHONE_MASK} path /p{QUERY_MASK}\n")
    assert f"ERROR failed for {PHONE_MASK}\n" in output
    assert f"ValueError: bad id {ID_MASK}" in output
    assert "079088001234" not in output
    assert "0987654321" not in output


def test_filter_keeps_a_broken_format_string():
    logger, stream = _logger_with_filter()
    logger.info("broken %s %s 001203012345", "only-one")
    assert stream.getvalue() == f"INFO broken %s %s {ID_MASK}\n"


def test_django_request_log_lines_carry_the_request_id(client, caplog, db):
    """Django logs a 404 after the middleware has returned; the id must still be there."""
    from postops.core.middleware import RequestIdLogFilter

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="abc-123")
    assert response.status_code == 404
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    RequestIdLogFilter().filter(record)
    assert record.request_id == "abc-123"
