"""Existing addresses saved with capitals are rewritten lower-case, so their owners can still
sign in; two accounts for one mailbox stop the migration with their ids named."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

from heelwise.accounts.models import User

BEFORE = [("accounts", "0001_initial")]
AFTER = [("accounts", "0002_email_lower_case")]


@pytest.fixture
def executor(transactional_db: None) -> Iterator[MigrationExecutor]:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    yield executor
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _old_user(executor: MigrationExecutor, email: str) -> Any:
    OldUser = executor.loader.project_state(BEFORE).apps.get_model("accounts", "User")
    return OldUser.objects.create(email=email, password="!", role="clinician")


def test_a_capitalised_address_is_lower_cased_and_signs_in(
    executor: MigrationExecutor,
) -> None:
    old = _old_user(executor, "Dr.Smith@Clinic.co.uk")
    executor.loader.build_graph()
    executor.migrate(AFTER)
    assert User.objects.get(pk=old.pk).email == "dr.smith@clinic.co.uk"
    assert User.objects.get_by_natural_key("Dr.Smith@Clinic.co.uk").pk == old.pk


def test_two_accounts_for_one_mailbox_stop_the_migration_naming_them(
    executor: MigrationExecutor,
) -> None:
    first = _old_user(executor, "ann@example.com")
    second = _old_user(executor, "Ann@Example.com")
    executor.loader.build_graph()
    with pytest.raises(RuntimeError, match=f"accounts {first.pk} and {second.pk}") as raised:
        executor.migrate(AFTER)
    assert "@" not in str(raised.value)  # no address in deploy logs
    # Clean up so the fixture can bring the schema back to the latest state.
    executor.loader.project_state(BEFORE).apps.get_model("accounts", "User").objects.filter(
        pk=second.pk
    ).delete()


@pytest.mark.django_db
def test_the_database_refuses_a_second_account_differing_only_by_case(alice: User) -> None:
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="ALICE@example.com", password="!")])


@pytest.mark.django_db
def test_sign_up_refuses_an_address_that_exists_with_other_capitals(client: Any) -> None:
    User.objects.bulk_create([User(email="Legacy@Example.com", password="!")])
    response = client.post(
        "/accounts/sign-up/",
        {
            "full_name": "Someone",
            "email": "legacy@example.com",
            "password": "a-long-enough-passphrase",
            "agree": "on",
        },
    )
    assert response.status_code == 422
    assert User.objects.count() == 1
