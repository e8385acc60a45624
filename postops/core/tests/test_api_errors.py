"""Every API error is JSON ``{"code", "message", "details"}``, with security headers."""

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from postops.accounts.services import api_key_create
from postops.core.api_middleware import API_CSP, ApiResponseMiddleware

pytestmark = pytest.mark.urls("postops.core.tests.api_test_urls")


@pytest.fixture
def raw_key(db):
    _, raw = api_key_create(None, name="Shop", role="partner")
    return raw


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()
    yield
    cache.clear()


def auth(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def assert_api_headers(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_success_carries_the_api_security_headers(client, raw_key):
    response = client.get("/api/v1/me", **auth(raw_key))
    assert response.status_code == 200
    assert_api_headers(response)
    assert response["Content-Security-Policy"] == API_CSP


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/", "/api/v1/me/extra"])
def test_unknown_path_under_the_api_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found.", "details": []}
    assert_api_headers(response)


@pytest.mark.django_db
def test_unknown_path_outside_the_api_keeps_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Cross-Origin-Resource-Policy" not in response


@pytest.mark.django_db
def test_wrong_method_is_a_json_405_listing_the_allowed_ones(client, raw_key):
    response = client.delete("/api/v1/me", **auth(raw_key))
    assert response.status_code == 405
    assert response.json() == {
        "code": "method_not_allowed",
        "message": "This method is not allowed here.",
        "details": [{"allowed_methods": ["GET"]}],
    }
    assert response["Allow"] == "GET"
    assert_api_headers(response)


@pytest.mark.django_db
def test_invalid_body_is_a_422_with_field_paths(client, raw_key):
    response = client.post(
        "/api/test/parcels",
        {"weight_grams": "heavy", "receiver": {"name": 5}},
        content_type="application/json",
        **auth(raw_key),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["message"] == "The request is not valid."
    assert [(d["field"], d["loc"], d["type"]) for d in body["details"]] == [
        ("weight_grams", ["body", "payload", "weight_grams"], "int_parsing"),
        ("receiver.name", ["body", "payload", "receiver", "name"], "string_type"),
    ]
    assert all(d["message"] for d in body["details"])
    assert_api_headers(response)


@pytest.mark.django_db
def test_missing_field_is_a_422_naming_it(client, raw_key):
    response = client.post(
        "/api/test/parcels", {"weight_grams": 100}, content_type="application/json", **auth(raw_key)
    )
    assert response.status_code == 422
    assert [(d["field"], d["type"]) for d in response.json()["details"]] == [
        ("receiver", "missing")
    ]


@pytest.mark.django_db
def test_malformed_json_is_a_json_error(client, raw_key):
    response = client.post(
        "/api/test/parcels", "{not json", content_type="application/json", **auth(raw_key)
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": "Cannot parse request body",
        "details": [],
    }
    assert_api_headers(response)


@pytest.mark.django_db
def test_no_credentials_is_a_json_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthorized",
        "message": "A valid API key or session is required.",
        "details": [],
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert_api_headers(response)


@pytest.mark.django_db
def test_wrong_role_is_a_json_403(client, raw_key):
    response = client.get("/api/test/admin-only", **auth(raw_key))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert_api_headers(response)


@pytest.mark.django_db
@override_settings(POSTOPS_API_RATE_PER_MINUTE=2)
def test_too_many_requests_is_a_json_429_with_retry_after(client, raw_key):
    assert client.get("/api/v1/me", **auth(raw_key)).status_code == 200
    assert client.get("/api/v1/me", **auth(raw_key)).status_code == 200
    response = client.get("/api/v1/me", **auth(raw_key))
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "rate_limited"
    assert body["message"] == "Too many requests; slow down."
    assert body["details"] == [{"retry_after_seconds": int(response["Retry-After"])}]
    assert 1 <= int(response["Retry-After"]) <= 60
    assert_api_headers(response)


@pytest.mark.django_db
@override_settings(POSTOPS_API_RATE_PER_MINUTE=1)
def test_rate_limit_counts_each_key_separately(client, raw_key):
    _, other = api_key_create(None, name="Shop 2", role="partner")
    assert client.get("/api/v1/me", **auth(raw_key)).status_code == 200
    assert client.get("/api/v1/me", **auth(other)).status_code == 200
    assert client.get("/api/v1/me", **auth(raw_key)).status_code == 429


@pytest.mark.django_db
def test_unexpected_exception_is_a_json_500_without_internals(client, raw_key, caplog):
    response = client.get("/api/test/crash", **auth(raw_key))
    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "message": "An unexpected error occurred.",
        "details": [],
    }
    assert "boom" not in response.content.decode()
    assert_api_headers(response)
    assert any(r.name == "postops.api" and r.exc_info for r in caplog.records)


def test_middleware_rewrites_an_html_error_page_under_the_api():
    def html_500(request):
        return HttpResponse("<h1>Server Error (500)</h1>", status=500)

    request = RequestFactory().get("/api/v1/anything")
    response = ApiResponseMiddleware(html_500)(request)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.content == (
        b'{"code": "server_error", "message": "An unexpected error occurred.", "details": []}'
    )


def test_middleware_leaves_json_errors_and_other_paths_alone():
    def json_409(request):
        return HttpResponse(
            b'{"code": "conflict", "message": "x", "details": []}',
            status=409,
            content_type="application/json",
        )

    api_response = ApiResponseMiddleware(json_409)(RequestFactory().get("/api/v1/x"))
    assert api_response.content == b'{"code": "conflict", "message": "x", "details": []}'

    def html_404(request):
        return HttpResponse("<p>nope</p>", status=404)

    page = ApiResponseMiddleware(html_404)(RequestFactory().get("/network/"))
    assert page.content == b"<p>nope</p>"
    assert "Cache-Control" not in page


def test_middleware_keeps_an_endpoint_cache_policy():
    def cacheable(request):
        response = HttpResponse(b"{}", content_type="application/json")
        response["Cache-Control"] = "public, max-age=60"
        return response

    response = ApiResponseMiddleware(cacheable)(RequestFactory().get("/api/v1/public"))
    assert response["Cache-Control"] == "public, max-age=60"
