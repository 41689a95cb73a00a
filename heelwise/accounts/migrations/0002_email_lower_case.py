"""Store every email address lower-case, then make addresses unique whatever their capitals.

Sign-up always stored addresses lower-case, but the admin's forms did not until User.clean
did it, so a staff account may have been saved as 'Dr.Smith@Clinic.co.uk'. Sign-in now looks
addresses up lower-case, so such a row is rewritten here. If two rows differ only by case,
they are two accounts for one mailbox: that needs a person to merge them, so the migration
stops and names them rather than guessing which to keep.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models
from django.db.models.functions import Lower


def lower_case_emails(apps: Any, schema_editor: Any) -> None:
    User = apps.get_model("accounts", "User")
    seen: dict[str, int] = {}
    clashes: list[str] = []
    for pk, email in User.objects.order_by("pk").values_list("pk", "email"):
        key = email.strip().lower()  # ASCII addresses: the same as the database's LOWER()
        if key in seen:
            # Account numbers only: deploy and CI logs must not carry an email address.
            clashes.append(f"accounts {seen[key]} and {pk} have the same address")
        seen.setdefault(key, pk)
    if clashes:
        raise RuntimeError(
            "Cannot make email addresses case-insensitive: "
            + "; ".join(clashes)
            + ". Merge or rename these accounts in the admin, then run migrate again."
        )
    for pk, email in User.objects.values_list("pk", "email"):
        if email != email.strip().lower():
            User.objects.filter(pk=pk).update(email=email.strip().lower())


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(lower_case_emails, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message="An account with this email address already exists.",
            ),
        ),
    ]
