"""PostgreSQL only: the database itself forbids overlapping active bookings.

Two exclusion constraints (btree_gist) over tstzrange(start, blocked_until): one per
practitioner, one per room. On other databases this migration does nothing (SQLite relies on
the booking service's re-check inside an IMMEDIATE transaction).
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

ACTIVE = "('confirmed', 'attended', 'no_show')"

FORWARD = [
    f"""ALTER TABLE booking_booking ADD CONSTRAINT booking_no_practitioner_overlap
        EXCLUDE USING gist (practitioner_id WITH =, tstzrange(start, blocked_until, '[)') WITH &&)
        WHERE (status IN {ACTIVE})""",
    f"""ALTER TABLE booking_booking ADD CONSTRAINT booking_no_room_overlap
        EXCLUDE USING gist (room_id WITH =, tstzrange(start, blocked_until, '[)') WITH &&)
        WHERE (status IN {ACTIVE} AND room_id IS NOT NULL)""",
]
BACKWARD = [
    "ALTER TABLE booking_booking DROP CONSTRAINT IF EXISTS booking_no_room_overlap",
    "ALTER TABLE booking_booking DROP CONSTRAINT IF EXISTS booking_no_practitioner_overlap",
]


class PostgresOnlySQL(migrations.RunSQL):
    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        PostgresOnlySQL(sql=FORWARD, reverse_sql=BACKWARD),
    ]
