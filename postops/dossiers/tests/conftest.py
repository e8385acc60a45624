import pytest

from . import helpers


@pytest.fixture
def tree(db):
    return helpers.office_tree()


@pytest.fixture
def centre(db):
    return helpers.agency()


@pytest.fixture
def superuser(make_user):
    return make_user("admin", username="qt-admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(superuser, verified_client):
    return verified_client(superuser)
