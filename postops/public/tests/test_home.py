"""The home page: public landing for visitors, role-aware start page for staff; the header."""

import re

import pytest
from django.urls import NoReverseMatch

from postops.network.models import Commune, Office, Province
from postops.public import navigation
from postops.public.navigation import staff_links_for_user

pytestmark = pytest.mark.django_db


def _body_class(response) -> str:
    return re.search(r'<body class="([^"]*)"', response.content.decode()).group(1)


def _start_link_keys(response) -> list[str]:
    return re.findall(r'id="start-([a-z_]+)"', response.content.decode())


def _office(code="240100", name="Bưu cục Trung tâm Lạng Sơn"):
    province, _ = Province.objects.get_or_create(
        code="20",
        defaults={
            "name": "Lạng Sơn",
            "division_type": "tỉnh",
            "codename": "lang_son",
            "search_name": "lang son",
        },
    )
    commune = Commune.objects.filter(province=province).order_by("code").first()
    if commune is None:
        commune = Commune.objects.create(
            code="99001",
            name="Phường Kiểm Thử",
            division_type="phường",
            codename="kiem_thu",
            province=province,
            search_name="kiem thu",
        )
    return Office.objects.create(
        code=code, name=name, kind="post_office", commune=commune, postal_code="24000"
    )


def test_visitor_sees_the_public_landing(client):
    response = client.get("/")
    assert response.status_code == 200
    assert [t.name for t in response.templates][:1] == ["public/landing.html"]
    assert _body_class(response) == "layout-public"
    html = response.content.decode()
    assert '<a class="button primary" href="/accounts/login/" id="landing-login">' in html
    assert 'id="public-tracking"' in html
    assert response.context["tracking_url"] == "/tra-cuu/"
    assert 'class="account-menu"' not in html


@pytest.mark.parametrize(
    ("roles", "layout"),
    [
        (("clerk",), "layout-counter"),
        (("postman",), "layout-mobile"),
        (("teller",), "layout-mobile"),
        (("bdvhx",), "layout-mobile"),
        (("manager",), "layout-dashboard"),
        (("auditor",), "layout-counter"),
        (("supervisor",), "layout-counter"),
        (("admin",), "layout-counter"),
        ((), "layout-counter"),
    ],
)
def test_start_page_layout_follows_the_role(make_user, verified_client, roles, layout):
    response = verified_client(make_user(*roles)).get("/")
    assert response.status_code == 200
    assert _body_class(response) == layout


def test_clerk_start_page_links_to_the_office_tree_and_dossier_pages(make_user, verified_client):
    response = verified_client(make_user("clerk", full_name="Trần Thị Lan")).get("/")
    html = response.content.decode()
    assert "<h1>Xin chào, Trần Thị Lan</h1>" in html
    assert _start_link_keys(response) == [
        "offices",
        "items_accept",
        "items_bags",
        "dossier_intake",
        "dossier_handovers",
        "results_collect",
        "results_take_back",
        "pickups",
        "procedures",
        "sender_requests",
    ]
    assert '<kbd class="start-link-key">Alt+O</kbd>' in html
    # The counter layout carries the keyboard scheme.
    assert 'class="shortcut-bar"' in html
    assert '<dialog id="shortcut-help"' in html


def test_mobile_start_page_has_the_bottom_action_bar(make_user, verified_client):
    response = verified_client(make_user("postman")).get("/")
    html = response.content.decode()
    assert '<nav class="action-bar"' in html
    assert '<a class="action" href="/" aria-current="page">Trang chủ</a>' in html
    assert '<a class="action" href="/network/offices/">Mạng lưới bưu cục</a>' in html
    assert "Alt+O" not in html


def test_superuser_admin_sees_django_admin_and_api_docs(make_user, verified_client):
    admin = make_user("admin", is_superuser=True, is_staff=True)
    response = verified_client(admin).get("/")
    keys = _start_link_keys(response)
    assert keys[0] == "offices"
    assert "admin" in keys
    assert keys[-1] == "api_docs"


def test_user_without_roles_is_told_to_ask_an_administrator(make_user, verified_client):
    response = verified_client(make_user()).get("/")
    html = response.content.decode()
    assert _start_link_keys(response) == []
    assert "Tài khoản của bạn chưa được gán vai trò" in html


def test_header_shows_name_roles_offices_and_logout(make_user, verified_client):
    office = _office()
    user = make_user("clerk", "complaints", offices=[office], full_name="Vũ Thị Mai")
    html = verified_client(user).get("/").content.decode()
    assert '<span class="who" id="who">Vũ Thị Mai</span>' in html
    assert '<span class="badge">Giao dịch viên</span>' in html
    assert '<span class="badge">Nhân viên khiếu nại</span>' in html
    assert '<span class="badge badge-office">240100 Bưu cục Trung tâm Lạng Sơn</span>' in html
    assert 'action="/accounts/logout/"' in html
    assert "Đơn vị công tác: Bưu cục Trung tâm Lạng Sơn" in html


def test_links_follow_roles(make_user, monkeypatch):
    # Every page of the table exists here, so only the roles decide.
    monkeypatch.setattr(navigation, "reverse", lambda name: f"/{name}/")

    def keys(*roles, **extra):
        return [link["key"] for link in staff_links_for_user(make_user(*roles, **extra))]

    assert keys("clerk") == [
        "offices",
        "items_accept",
        "items_bags",
        "dossier_intake",
        "dossier_handovers",
        "results_collect",
        "results_take_back",
        "pickups",
        "procedures",
        "sender_requests",
    ]
    assert keys("postman") == [
        "offices",
        "delivery",
        "home_payouts",
        "pickups_mine",
        "results_collect",
        "procedures",
    ]
    assert keys("auditor") == ["offices", "procedures", "cod", "reports", "audit"]
    assert keys("agency") == ["offices", "agency_inbox", "dossier_worklists", "procedures"]
    assert keys("partner") == ["api_docs"]
    assert keys() == []


def test_links_follow_roles_for_two_factor_users(make_user, monkeypatch):
    monkeypatch.setattr(navigation, "reverse", lambda name: f"/{name}/")
    manager = make_user("manager")
    manager.is_verified = lambda: True
    assert [link["key"] for link in staff_links_for_user(manager)] == [
        "offices",
        "payroll",
        "dossier_worklists",
        "procedures",
        "cod",
        "worklists",
        "complaints",
        "reports",
        "audit",
    ]
    admin = make_user("admin")
    admin.is_verified = lambda: True
    assert [link["key"] for link in staff_links_for_user(admin)] == [
        "offices",
        "payroll",
        "procedures",
        "notify",
        "reports",
        "audit",
        "admin",
        "api_docs",
    ]


def test_no_links_before_the_required_totp_check(make_user, monkeypatch):
    monkeypatch.setattr(navigation, "reverse", lambda name: f"/{name}/")
    supervisor = make_user("supervisor")
    supervisor.is_verified = lambda: False
    assert staff_links_for_user(supervisor) == []


def test_a_page_not_built_yet_is_left_out(make_user, monkeypatch):
    def reverse(name):
        if name == "core:audit_list":
            raise NoReverseMatch(name)
        return f"/{name}/"

    monkeypatch.setattr(navigation, "reverse", reverse)
    assert [link["key"] for link in staff_links_for_user(make_user("auditor"))] == [
        "offices",
        "procedures",
        "cod",
        "reports",
    ]


def test_anonymous_has_no_links(client):
    from django.contrib.auth.models import AnonymousUser

    assert staff_links_for_user(AnonymousUser()) == []
