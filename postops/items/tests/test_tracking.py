"""Public tracking: the API and the /tra-cuu/ page."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from postops.items.services import event_record, item_accept

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 08:30 in Hà Nội


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tracked(blocks, offices, accept_kwargs, codes):
    """EB125966888VN: accepted 08:30, at the delivery office 10:30, a failed attempt 14:00."""
    item = item_accept(actor=None, accepted_at=T0, **accept_kwargs).item
    delivery = offices["delivery"]
    event_record(
        actor=None,
        item=item,
        code="delivery_office_arrival",
        office=delivery,
        occurred_at=T0 + timedelta(hours=2),
    )
    event_record(
        actor=None,
        item=item,
        code="out_for_delivery",
        office=delivery,
        occurred_at=T0 + timedelta(hours=5),
    )
    event_record(
        actor=None,
        item=item,
        code="delivery_failed",
        office=delivery,
        occurred_at=T0 + timedelta(hours=5, minutes=30),
        reason_code="R01",
        action_code="A01",
    )
    return item


EXPECTED_VI = {
    "number": "EB125966888VN",
    "status": "delivery_failed",
    "status_text": "Phát không thành công",
    "receiver_name": "T*** T** B***",
    "events": [
        {
            "code": "delivery_failed",
            "text": "Phát không thành công: Không có người nhận",
            "office_code": "241000",
            "office_name": "Bưu cục Cao Lộc",
            "occurred_at": "2026-03-02T14:00:00+07:00",
        },
        {
            "code": "out_for_delivery",
            "text": "Bưu tá đang đi phát",
            "office_code": "241000",
            "office_name": "Bưu cục Cao Lộc",
            "occurred_at": "2026-03-02T13:30:00+07:00",
        },
        {
            "code": "delivery_office_arrival",
            "text": "Đến bưu cục phát",
            "office_code": "241000",
            "office_name": "Bưu cục Cao Lộc",
            "occurred_at": "2026-03-02T10:30:00+07:00",
        },
        {
            "code": "accepted",
            "text": "Nhận gửi",
            "office_code": "240000",
            "office_name": "Bưu cục Lạng Sơn",
            "occurred_at": "2026-03-02T08:30:00+07:00",
        },
    ],
}


def test_track_one_item_newest_first_without_personal_data(client, tracked):
    response = client.get("/api/v1/track/EB125966888VN")
    assert response.status_code == 200
    assert response.json() == EXPECTED_VI
    body = response.content.decode()
    for secret in ("0987654321", "0912345678", "Lê Lợi", "Trần Thị Bình", "Hoa Mai", "00004"):
        assert secret not in body


def test_track_one_item_in_english(client, tracked):
    # Vietnamese first: Accept-Language is ignored, the language switch (cookie) decides.
    client.cookies["django_language"] = "en"
    response = client.get("/api/v1/track/EB125966888VN")
    data = response.json()
    # Event and status texts come from the translation catalogue; the reason from the code
    # list's English label.
    assert data["events"][0]["text"].endswith(": Receiver absent")


def test_spaces_and_lower_case_are_accepted(client, tracked):
    assert client.get("/api/v1/track/eb 125 966 888 vn").json()["number"] == "EB125966888VN"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("EB125966889VN", "check_digit"),
        ("EB12596688VN", "format"),
        ("SB125966888VN", "reserved_prefix"),
    ],
)
def test_a_malformed_number_is_400(client, db, number, reason):
    response = client.get(f"/api/v1/track/{number}")
    assert response.status_code == 400
    data = response.json()
    assert (data["code"], data["message"]) == (
        "invalid_item_number",
        "The item number is not a valid S10 number.",
    )
    assert [(d["field"], d["reason"]) for d in data["details"]] == [("number", reason)]


def test_a_valid_unknown_number_is_404(client, db):
    response = client.get("/api/v1/track/RR473124829GB")
    assert response.status_code == 404
    assert response.json() == {
        "code": "item_not_found",
        "message": "No item has this number.",
        "details": [],
    }


def test_track_several_numbers_at_once(client, tracked, django_assert_max_num_queries):
    # The rate counter, the lookup, and the first loads of the office and reason caches.
    with django_assert_max_num_queries(4):
        response = client.get(
            "/api/v1/track", {"numbers": "EB125966888VN, RR473124829GB,EB125966889VN,eb125966888vn"}
        )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["query"], r["number"]) for r in results] == [
        ("EB125966888VN", "EB125966888VN"),
        ("RR473124829GB", "RR473124829GB"),
        ("EB125966889VN", "EB125966889VN"),
        ("eb125966888vn", "EB125966888VN"),
    ]
    assert results[0]["tracking"] == EXPECTED_VI
    assert results[0]["error"] is None
    assert results[1] == {
        "query": "RR473124829GB",
        "number": "RR473124829GB",
        "tracking": None,
        "error": {"code": "item_not_found", "message": "No item has this number."},
    }
    assert results[2]["error"]["code"] == "invalid_item_number"
    assert results[3]["tracking"]["status"] == "delivery_failed"


def test_answers_built_by_hand_match_their_declared_models(client, tracked):
    """Tracking answers skip django-ninja's response validation (``api.json_answer``): they
    must still be exactly what the OpenAPI models say, dates as ninja wrote them."""
    from postops.items.api import TrackManyOut, TrackOut

    one = client.get("/api/v1/track/EB125966888VN")
    many = client.get("/api/v1/track", {"numbers": "EB125966888VN,RR473124829GB"})

    assert one["Content-Type"] == "application/json; charset=utf-8"
    for response, model in ((one, TrackOut), (many, TrackManyOut)):
        data = response.json()
        assert model.model_validate(data).model_dump(mode="json") == data
    # Written as Django's JSON encoder (and so django-ninja) writes them.
    from zoneinfo import ZoneInfo

    from django.core.serializers.json import DjangoJSONEncoder

    from postops.items.api import _datetime_text

    hcm = ZoneInfo("Asia/Ho_Chi_Minh")
    moments = [
        datetime(2026, 3, 2, 7, 0, 0, 123456, tzinfo=UTC),
        datetime(2026, 3, 2, 7, 0, 0, 999999, tzinfo=UTC),
        datetime(2026, 3, 2, 7, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 2, 14, 0, 0, 500, tzinfo=hcm),
        datetime(2026, 3, 2, 14, 0, 0, tzinfo=hcm),
    ]
    assert [_datetime_text(m) for m in moments] == [DjangoJSONEncoder().default(m) for m in moments]
    assert _datetime_text(moments[0]) == "2026-03-02T07:00:00.123Z"
    assert _datetime_text(moments[3]) == "2026-03-02T14:00:00.000+07:00"


def test_more_than_twenty_numbers_is_400(client, db):
    numbers = ",".join(f"RR{n:09d}GB" for n in range(21))
    response = client.get("/api/v1/track", {"numbers": numbers})
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_numbers"
    assert client.get("/api/v1/track", {"numbers": " , "}).json()["code"] == "no_numbers"


def test_public_tracking_is_rate_limited_per_client(client, tracked, settings):
    settings.POSTOPS_PUBLIC_RATE_PER_MINUTE = 3
    codes = [client.get("/api/v1/track/EB125966888VN").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/api/v1/track/EB125966888VN").json()["code"] == "rate_limited"
    # Another client address has its own allowance.
    other = client.get("/api/v1/track/EB125966888VN", REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 200
    # As django-ninja answers a throttled operation: how long to wait, in seconds.
    limited = client.get("/api/v1/track/EB125966888VN")
    assert 0 < int(limited["Retry-After"]) <= 60
    assert limited.json()["details"] == [{"retry_after_seconds": int(limited["Retry-After"])}]
    # The page shares the same allowance.
    page = client.get("/tra-cuu/", {"numbers": "EB125966888VN"})
    assert page.status_code == 429
    assert "Bạn tra cứu quá nhiều lần trong một phút." in page.content.decode()


# --- The page ------------------------------------------------------------------------------


def test_the_page_shows_a_search_form(client, db):
    response = client.get("/tra-cuu/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Tra cứu bưu gửi</h1>" in html
    assert 'name="numbers"' in html
    assert 'hx-get="/tra-cuu/"' in html
    assert "<script>" not in html and "style=" not in html


def test_the_page_shows_results_without_personal_data(client, tracked):
    response = client.get("/tra-cuu/", {"numbers": "EB125966888VN\nRR473124829GB\nXX1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="card track-result"') == 3
    assert "<strong>Phát không thành công</strong>" in html
    assert "T*** T** B***" in html
    assert "Phát không thành công: Không có người nhận" in html
    assert "14:00 02/03/2026" in html
    assert "Không tìm thấy bưu gửi có số hiệu này." in html
    assert "Số hiệu không hợp lệ" in html
    for secret in ("0987654321", "Lê Lợi", "Trần Thị Bình"):
        assert secret not in html


def test_htmx_gets_only_the_results(client, tracked):
    response = client.get(
        "/tra-cuu/",
        {"numbers": "EB125966888VN"},
        headers={"hx-request": "true", "hx-target": "track-results"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="track-results"')
    assert "<html" not in html


def test_the_page_in_english(client, tracked):
    client.cookies["django_language"] = "en"
    html = client.get("/tra-cuu/", {"numbers": "EB125966888VN"}).content.decode()
    assert '<html lang="en">' in html
    assert ": Receiver absent" in html


def test_the_page_refuses_more_than_twenty(client, db):
    numbers = "\n".join(str(uuid.UUID(int=n)) for n in range(21))
    html = client.get("/tra-cuu/", {"numbers": numbers}).content.decode()
    assert "Chỉ tra cứu được tối đa 20 số hiệu một lần." in html


def test_one_number_is_served_ahead_of_django_ninja_with_the_apis_shape(client, tracked):
    from django.urls import resolve

    from postops.items.api import track_one_view

    assert resolve("/api/v1/track/EB125966888VN").func is track_one_view
    ok = client.get("/api/v1/track/EB125966888VN")
    # The headers every API answer carries (ApiResponseMiddleware).
    assert ok["Cache-Control"] == "no-store"
    assert ok["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert ok["X-Content-Type-Options"] == "nosniff"
    # Only GET; the refusal in the API's error shape, naming the allowed method.
    refused = client.post("/api/v1/track/EB125966888VN")
    assert refused.status_code == 405
    assert refused["Allow"] == "GET"
    assert refused.json()["code"] == "method_not_allowed"
    assert refused.json()["details"] == [{"allowed_methods": ["GET"]}]
    # Errors as ErrorOut documents them.
    from postops.items.api import ErrorOut

    for number, status, code in (
        ("EB125966887VN", 400, "invalid_item_number"),
        ("RR473124829VN", 404, "item_not_found"),
    ):
        response = client.get(f"/api/v1/track/{number}")
        assert (response.status_code, response.json()["code"]) == (status, code)
        assert ErrorOut.model_validate(response.json()).model_dump(mode="json") == response.json()
    # The operation django-ninja documents gives the same answer.
    from postops.items.api import track_one

    assert track_one(None, "EB125966888VN").content == ok.content
