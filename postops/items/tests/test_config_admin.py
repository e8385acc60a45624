"""Loading the item configuration, and the admin pages."""

import json

import pytest
from django.core.management import call_command

from postops.core.models import AuditEntry
from postops.items.models import (
    CodeListEntry,
    DeliveryStandard,
    Item,
    NumberBlock,
    ServiceIndicator,
)
from postops.items.services import item_accept, item_config_load


@pytest.mark.django_db
def test_the_default_configuration_loads_and_loads_again_the_same(capsys):
    call_command("load_item_config")
    assert capsys.readouterr().out.strip() == (
        "service_indicators=6 reason_codes=9 action_codes=5 delivery_standards=3"
    )
    call_command("load_item_config")
    assert list(ServiceIndicator.objects.values_list("prefix", "service")) == [
        ("CP", "parcel"),
        ("EB", "ems"),
        ("LA", "letter_express"),
        ("RR", "registered"),
        ("UA", "letter_goods"),
        ("VV", "insured"),
    ]
    assert CodeListEntry.objects.filter(list="reason").count() == 9
    assert CodeListEntry.objects.get(list="action", code="A03").label_en == "Return to sender"
    assert AuditEntry.objects.filter(action="items.config_load").count() == 2
    assert sorted(DeliveryStandard.objects.values_list("service", "zone", "working_days")) == [
        ("", "other_province", 4),
        ("", "same_commune", 1),
        ("", "same_province", 2),
    ]


@pytest.mark.django_db
def test_a_custom_file_updates_rows_and_rejects_reserved_prefixes(tmp_path):
    from django.core.exceptions import ValidationError

    item_config_load(data={"service_indicators": [{"prefix": "EB", "service": "ems"}]})
    item_config_load(
        data={"service_indicators": [{"prefix": "EB", "service": "parcel", "is_active": False}]}
    )
    assert ServiceIndicator.objects.filter(prefix="EB", service="parcel", is_active=False).exists()
    with pytest.raises(ValidationError) as exc:
        item_config_load(data={"service_indicators": [{"prefix": "SA", "service": "ems"}]})
    assert exc.value.message_dict == {
        "prefix": ["Mã dịch vụ bắt đầu bằng chữ S được UPU dành riêng, không được cấp."]
    }
    path = tmp_path / "codes.json"
    path.write_text(json.dumps({"reason_codes": [{"code": "X1", "label": "Thử"}]}), "utf-8")
    call_command("load_item_config", "--file", str(path))
    assert CodeListEntry.objects.get(code="X1").label == "Thử"


@pytest.fixture
def admin_user_client(client, make_user, offices):
    user = make_user("admin", offices=[offices["root"]], is_staff=True, is_superuser=True)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="t", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def test_a_number_block_is_added_through_the_service(
    admin_user_client, offices, indicators, blocks
):
    url = "/admin/items/numberblock/add/"
    page = admin_user_client.get(url)
    assert page.status_code == 200
    overlapping = {
        "office": offices["delivery"].pk,
        "indicator": "EB",
        "first_serial": 12596700,
        "last_serial": 12596799,
    }
    response = admin_user_client.post(url, overlapping)
    assert response.status_code == 200
    assert "đã dùng trong vòng 12 tháng hoặc còn đang dùng" in response.content.decode()
    fine = {**overlapping, "first_serial": 20000000, "last_serial": 20000999}
    response = admin_user_client.post(url, fine)
    assert response.status_code == 302
    block = NumberBlock.objects.get(first_serial=20000000)
    assert (block.office, block.next_serial) == (offices["delivery"], 20000000)
    assert AuditEntry.objects.filter(action="items.number_block_create").count() == 1


def test_items_and_events_are_read_only_in_the_admin(admin_user_client, blocks, accept_kwargs):
    item = item_accept(actor=None, **accept_kwargs).item
    event = item.events.get()
    assert admin_user_client.get(f"/admin/items/item/{item.pk}/change/").status_code == 200
    assert (
        admin_user_client.get(f"/admin/items/trackingevent/{event.pk}/change/").status_code == 200
    )
    assert admin_user_client.get("/admin/items/item/add/").status_code == 403
    assert admin_user_client.post(f"/admin/items/item/{item.pk}/delete/").status_code == 403
    assert Item.objects.count() == 1
    listing = admin_user_client.get("/admin/items/item/?q=EB125966888VN")
    assert "EB125966888VN" in listing.content.decode()


def test_a_tariff_version_is_frozen_once_it_priced_an_item(
    admin_user_client, blocks, accept_kwargs
):
    from datetime import date

    from postops.items.models import TariffVersion

    version = TariffVersion.objects.create(
        name="Bảng cước 2026", effective_from=date(2026, 1, 1), vat_percent=10
    )
    url = f"/admin/items/tariffversion/{version.pk}/change/"
    page = admin_user_client.get(url).content.decode()
    assert 'name="_save"' in page
    item_accept(actor=None, tariff_version=version, **accept_kwargs)
    page = admin_user_client.get(url).content.decode()
    assert 'name="_save"' not in page  # view only
    assert (
        admin_user_client.post(f"/admin/items/tariffversion/{version.pk}/delete/").status_code
        == 403
    )
