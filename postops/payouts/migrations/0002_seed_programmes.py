from django.db import migrations

# The three programmes a provincial post office pays (domain reference §2). Numbers are
# data, editable in the admin; ``rules_source`` records where each comes from and what is
# still to be confirmed.
PROGRAMMES = [
    {
        "code": "bhxh",
        "name": "Lương hưu, trợ cấp bảo hiểm xã hội hằng tháng",
        "suspend_after_months": 6,
        "home_payout_age": 80,
        "max_authorisation_months": 12,
        "rules_source": (
            "Luật Bảo hiểm xã hội 2024 (Luật 41/2024/QH15): giấy ủy quyền nhận lương hưu, "
            "trợ cấp tối đa 12 tháng và phải được chứng thực; người từ đủ 80 tuổi được chi "
            "trả tại nhà khi có yêu cầu; tạm dừng khi không nhận 6 tháng liên tục "
            "(cần đối chiếu điều khoản cụ thể)."
        ),
    },
    {
        "code": "btxh",
        "name": "Trợ cấp xã hội hằng tháng (bảo trợ xã hội)",
        "suspend_after_months": 3,
        "home_payout_age": None,
        "max_authorisation_months": 12,
        "rules_source": (
            "Tạm dừng khi không nhận 3 tháng liên tục. Thời hạn ủy quyền: chưa có quy định "
            "công khai, tạm dùng 12 tháng như lương hưu (cấu hình được). Tuổi chi tại nhà: "
            "CHƯA RÕ."
        ),
    },
    {
        "code": "ncc",
        "name": "Trợ cấp ưu đãi người có công với cách mạng",
        "suspend_after_months": None,
        "home_payout_age": None,
        "max_authorisation_months": 12,
        "rules_source": (
            "Số tháng không nhận thì tạm dừng: CHƯA RÕ. Thời hạn ủy quyền: tạm dùng 12 tháng "
            "như lương hưu (cấu hình được). Tuổi chi tại nhà: CHƯA RÕ."
        ),
    },
]


def seed(apps, schema_editor):
    Programme = apps.get_model("payouts", "Programme")
    for row in PROGRAMMES:
        Programme.objects.update_or_create(code=row["code"], defaults=row)


def unseed(apps, schema_editor):
    apps.get_model("payouts", "Programme").objects.filter(
        code__in=[row["code"] for row in PROGRAMMES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("payouts", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
