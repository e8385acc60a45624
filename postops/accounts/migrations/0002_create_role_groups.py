from django.db import migrations

ROLE_SLUGS = [
    "clerk", "postman", "teller", "bdvhx", "supervisor", "manager", "agency", "complaints",
    "auditor", "admin", "partner",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for slug in ROLE_SLUGS:
        Group.objects.get_or_create(name=slug)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_SLUGS).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, delete_groups)]
