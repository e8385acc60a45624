import pytest

from postops.accounts import services
from postops.accounts.models import ApiKey, Role
from postops.accounts.roles import has_role, needs_two_factor, primary_role, user_roles
from postops.core.models import AuditEntry


@pytest.mark.django_db
def test_role_groups_exist_with_the_eleven_slugs():
    from django.contrib.auth.models import Group

    slugs = {
        "clerk",
        "postman",
        "teller",
        "bdvhx",
        "supervisor",
        "manager",
        "agency",
        "complaints",
        "auditor",
        "admin",
        "partner",
    }
    assert set(Role.values) == slugs
    assert slugs <= set(Group.objects.values_list("name", flat=True))


@pytest.mark.django_db
def test_user_set_roles_replaces_roles_and_audits(make_user):
    actor = make_user("admin")
    user = make_user("clerk")
    services.user_set_roles(actor, user, ["postman", "teller"])
    user = type(user).objects.get(pk=user.pk)
    assert user_roles(user) == {"postman", "teller"}
    entry = AuditEntry.objects.get(action="accounts.roles_set")
    assert entry.before == {"roles": ["clerk"]}
    assert entry.after == {"roles": ["postman", "teller"]}
    assert entry.actor == actor


@pytest.mark.django_db
def test_user_set_roles_refuses_unknown_role(make_user):
    user = make_user("clerk")
    with pytest.raises(ValueError, match="unknown roles"):
        services.user_set_roles(None, user, ["wizard"])


@pytest.mark.django_db
def test_role_helpers(make_user):
    user = make_user("clerk", "supervisor")
    assert has_role(user, "supervisor")
    assert not has_role(user, "manager")
    assert needs_two_factor(user)
    assert primary_role(user) == "supervisor"
    assert not needs_two_factor(make_user("postman"))


@pytest.mark.django_db
def test_api_key_stored_hashed_and_revocable(make_user):
    actor = make_user("admin")
    key, raw = services.api_key_create(actor, name="Shop A", role="partner")
    assert raw.startswith("pok_") and len(raw) > 40
    assert key.key_hash == services.api_key_hash(raw)
    assert raw not in str(AuditEntry.objects.values_list("before", "after"))
    assert not ApiKey.objects.filter(key_hash=raw).exists()
    services.api_key_revoke(actor, key)
    services.api_key_revoke(actor, key)  # idempotent: one audit entry
    key.refresh_from_db()
    assert not key.is_active
    assert AuditEntry.objects.filter(action="accounts.api_key_revoked").count() == 1
