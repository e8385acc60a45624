"""manage.py create_api_key / revoke_api_key."""

import io

import pytest
from django.core.management import CommandError, call_command

from postops.accounts.models import ApiKey
from postops.accounts.services import api_key_hash
from postops.core.models import AuditEntry

from .api_helpers import office_tree


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def tree(db):
    return office_tree()


@pytest.mark.django_db
def test_create_prints_the_key_alone_on_stdout_once(tree):
    out, err = run(
        "create_api_key", "--name", "Shop Hoa Mai", "--role", "partner", "--office", "241000"
    )
    raw = out.strip()
    assert out == raw + "\n"
    key = ApiKey.objects.get()
    assert key.key_hash == api_key_hash(raw)
    assert key.name == "Shop Hoa Mai"
    assert key.role == "partner"
    assert list(key.offices.values_list("code", flat=True)) == ["241000"]
    assert key.created_by is None
    assert err == (
        f"Created API key {key.prefix}… for 'Shop Hoa Mai' with role partner and offices: "
        "241000.\nStore the key now; it is not stored and cannot be shown again.\n"
    )
    assert raw not in err
    assert AuditEntry.objects.get(action="accounts.api_key_created").target_id == str(key.pk)


@pytest.mark.django_db
def test_create_with_several_offices_and_the_key_works(client, tree):
    out, _ = run(
        "create_api_key",
        "--name",
        "BHXH tỉnh",
        "--role",
        "agency",
        "--office",
        "242000",
        "--office",
        "241000",
    )
    key = ApiKey.objects.get()
    assert sorted(key.offices.values_list("code", flat=True)) == ["241000", "242000"]
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {out.strip()}")
    assert response.status_code == 200
    assert [o["code"] for o in response.json()["offices"]] == ["241000", "242000"]


@pytest.mark.django_db
def test_create_without_office(tree):
    _, err = run("create_api_key", "--name", "Thử", "--role", "partner")
    assert "offices: (none)." in err
    assert ApiKey.objects.get().offices.count() == 0


@pytest.mark.django_db
def test_create_refuses_an_unknown_role(tree):
    with pytest.raises(CommandError) as exc:
        run("create_api_key", "--name", "X", "--role", "wizard")
    assert str(exc.value) == (
        "Unknown role 'wizard'; choose one of: clerk, postman, teller, bdvhx, supervisor, "
        "manager, agency, complaints, auditor, admin, partner."
    )
    assert ApiKey.objects.count() == 0


@pytest.mark.django_db
def test_create_refuses_unknown_offices_and_creates_nothing(tree):
    with pytest.raises(CommandError) as exc:
        run(
            "create_api_key",
            "--name",
            "X",
            "--role",
            "partner",
            "--office",
            "241000",
            "--office",
            "999999",
            "--office",
            "000001",
        )
    assert str(exc.value) == "Unknown office code(s): 000001, 999999."
    assert ApiKey.objects.count() == 0
    assert not AuditEntry.objects.filter(action="accounts.api_key_created").exists()


@pytest.mark.django_db
def test_create_refuses_a_blank_name(tree):
    with pytest.raises(CommandError, match="--name must not be empty"):
        run("create_api_key", "--name", "  ", "--role", "partner")


@pytest.mark.django_db
def test_revoke_by_prefix(client, tree):
    out, _ = run("create_api_key", "--name", "Shop", "--role", "partner")
    raw = out.strip()
    key = ApiKey.objects.get()
    revoked_out, _ = run("revoke_api_key", key.prefix)
    assert revoked_out == f"Revoked API key {key.prefix}… (Shop).\n"
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert AuditEntry.objects.get(action="accounts.api_key_revoked").target_id == str(key.pk)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


@pytest.mark.django_db
def test_revoke_twice_says_so_and_audits_once(tree):
    run("create_api_key", "--name", "Shop", "--role", "partner")
    key = ApiKey.objects.get()
    run("revoke_api_key", key.prefix)
    again, _ = run("revoke_api_key", key.prefix)
    assert again == f"API key {key.prefix}… was already revoked.\n"
    assert AuditEntry.objects.filter(action="accounts.api_key_revoked").count() == 1


@pytest.mark.django_db
def test_revoke_refuses_an_unknown_prefix(tree):
    with pytest.raises(CommandError) as exc:
        run("revoke_api_key", "pok_nothing1")
    assert str(exc.value) == "No API key has the prefix 'pok_nothing1'."


@pytest.mark.django_db
def test_revoke_refuses_an_ambiguous_prefix(tree):
    for name, digest in (("A", "a" * 64), ("B", "b" * 64)):
        ApiKey.objects.create(name=name, prefix="pok_same1234", key_hash=digest, role="partner")
    with pytest.raises(CommandError, match="Several active keys share the prefix 'pok_same1234'"):
        run("revoke_api_key", "pok_same1234")
    assert ApiKey.objects.filter(revoked_at__isnull=True).count() == 2
