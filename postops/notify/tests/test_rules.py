"""Pure rules of notifications: phone numbers for gateways, masks, dedupe keys, safe errors;
the shared backoff (postops.core.backoff)."""

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from postops.core.backoff import backoff_seconds
from postops.notify import rules


@pytest.mark.parametrize(
    ("phone", "msisdn"),
    [
        ("0912 345 678", "84912345678"),
        ("0912.345.678", "84912345678"),
        ("+84 912 345 678", "84912345678"),
        ("84912345678", "84912345678"),
        ("0205 3871 234", "842053871234"),
        ("912345678", ""),
        ("00912345678", ""),
        ("", ""),
        ("hotline", ""),
    ],
)
def test_phone_msisdn(phone, msisdn):
    assert rules.phone_msisdn(phone) == msisdn


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("hoa.nguyen@example.vn", "h***@example.vn"),
        ("a@b.vn", "a***@b.vn"),
        ("0912 345 678", "091*****78"),
        ("84912345678", "849******78"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_mask_recipient(address, masked):
    assert rules.mask_recipient(address) == masked


# No deadline: the machine is shared, and a slow first example is not a failure.
@hypothesis_settings(deadline=None)
@given(st.from_regex(r"0[35789][0-9]{8}", fullmatch=True))
def test_a_masked_phone_never_shows_the_subscriber_number(phone):
    # Only the operator prefix and the last two digits stay; the five in between are hidden.
    assert rules.mask_recipient(phone) == phone[:3] + "*****" + phone[-2:]


# No deadline: the machine is shared, and a slow first example is not a failure.
@hypothesis_settings(deadline=None)
@given(
    st.from_regex(r"[a-z][a-z0-9._]{2,20}", fullmatch=True),
    st.sampled_from(["example.vn", "langson.gov.vn"]),
)
def test_a_masked_email_keeps_only_the_first_letter_and_domain(local, domain):
    assert rules.mask_recipient(f"{local}@{domain}") == f"{local[0]}***@{domain}"


def test_dedupe_key_names_source_event_and_kind_not_channel():
    assert rules.dedupe_key("dossier", 42, "filed", rules.PHONE) == "dossier:42:filed:phone"


def test_safe_error_masks_the_recipient_and_personal_numbers():
    text = "550 hoa.nguyen@example.vn refused; citizen 020190012345 phone 0912 345 678"
    assert rules.safe_error(text, "hoa.nguyen@example.vn") == (
        "550 h***@example.vn refused; citizen [id-redacted] phone [phone-redacted]"
    )
    assert len(rules.safe_error("x" * 900)) == 500


def test_backoff_doubles_from_a_minute_up_to_six_hours():
    assert [backoff_seconds(n) for n in range(0, 11)] == [
        0,
        60,
        120,
        240,
        480,
        960,
        1920,
        3840,
        7680,
        15360,
        21600,
    ]


# No deadline: the machine is shared, and a slow first example is not a failure.
@hypothesis_settings(deadline=None)
@given(st.integers(min_value=1, max_value=10_000))
def test_backoff_is_monotonic_and_bounded(attempt):
    assert 60 <= backoff_seconds(attempt) <= backoff_seconds(attempt + 1) <= 6 * 3600
