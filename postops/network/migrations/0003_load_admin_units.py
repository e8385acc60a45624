"""Load the administrative units into every database (tests included).

Calls the same loader as ``manage.py load_admin_units`` with the historical models of this
migration state. If the loader ever writes a field added after this migration, copy the
loader's current version here instead of importing it.
"""

from django.db import migrations


def load(apps, schema_editor):
    from postops.network.admin_units import admin_units_load

    admin_units_load(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('network', '0002_office_search_name'),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop, elidable=False),
    ]
