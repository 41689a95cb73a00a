from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client

from heelwise.accounts import personal_data
from heelwise.accounts.models import User
from heelwise.accounts.personal_data import PersonalDataProvider, register
from heelwise.common.models import AuditEvent


@pytest.mark.django_db
class SignUpTests:
    def test_it_creates_a_patient_and_logs_them_in(self, client: Client) -> None:
        response = client.post(
            "/accounts/sign-up/",
            {
                "full_name": "Dana Runner",
                "email": "Dana@Example.com",
                "password": "a-long-enough-passphrase",
                "agree": "on",
            },
        )
        assert response.status_code == 302
        user = User.objects.get()
        assert user.email == "dana@example.com"
        assert user.role == User.Role.PATIENT
        assert client.get("/accounts/").status_code == 200

    def test_it_rejects_weak_password_and_duplicate_email_keeping_input(
        self, client: Client, alice: User
    ) -> None:
        response = client.post(
            "/accounts/sign-up/",
            {"full_name": "Someone", "email": "alice@example.com", "password": "short"},
        )
        assert response.status_code == 422
        form = response.context["form"]
        assert "email" in form.errors
        assert "password" in form.errors
        assert "agree" in form.errors
        assert 'value="Someone"' in response.content.decode()
        assert User.objects.count() == 1


@pytest.mark.django_db
class PasswordResetTests:
    def test_it_emails_a_working_reset_link(self, client: Client, alice: User) -> None:
        response = client.post("/accounts/password-reset/", {"email": "alice@example.com"})
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
        path = link.split("://", 1)[1].split("/", 1)[1]
        response = client.get("/" + path, follow=True)
        assert response.status_code == 200
        form_url = response.redirect_chain[-1][0]
        response = client.post(
            form_url,
            {"new_password1": "brand-new-passphrase-9", "new_password2": "brand-new-passphrase-9"},
        )
        assert response.status_code == 302
        alice.refresh_from_db()
        assert alice.check_password("brand-new-passphrase-9")


@pytest.fixture
def isolated_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(personal_data, "_PROVIDERS", dict(personal_data._PROVIDERS))


@pytest.mark.django_db
@pytest.mark.usefixtures("isolated_registry")
class ExportAndDeleteTests:
    def test_it_exports_account_and_registered_providers(self, client: Client, alice: User) -> None:
        register(
            PersonalDataProvider(
                name="zz_test_provider",
                export=lambda user: {"note": f"data of {user.pk}"},
                erase=lambda user: None,
            )
        )
        client.force_login(alice)
        response = client.post("/accounts/export/")
        assert response.status_code == 200
        data = json.loads(response.content)
        assert data["account"]["email"] == "alice@example.com"
        assert data["zz_test_provider"] == {"note": f"data of {alice.pk}"}
        assert AuditEvent.objects.filter(action="export", subject_user_id=alice.pk).exists()

    def test_export_requires_login_and_post(self, client: Client, alice: User) -> None:
        assert client.post("/accounts/export/").status_code == 302
        client.force_login(alice)
        assert client.get("/accounts/export/").status_code == 405

    def test_it_deletes_only_with_the_right_password(self, client: Client, alice: User) -> None:
        erased: list[int] = []
        register(
            PersonalDataProvider(
                name="zz_test_eraser",
                export=lambda user: None,
                erase=lambda user: erased.append(user.pk),
            )
        )
        client.force_login(alice)
        response = client.post("/accounts/delete/", {"password": "wrong", "confirm": "on"})
        assert response.status_code == 422
        assert User.objects.filter(pk=alice.pk).exists()
        response = client.post(
            "/accounts/delete/", {"password": "alice-password-1", "confirm": "on"}
        )
        assert response.status_code == 200
        assert not User.objects.filter(pk=alice.pk).exists()
        assert erased == [alice.pk]
        event = AuditEvent.objects.get(action="delete", subject_user_id=alice.pk)
        assert event.actor is None
        assert "alice" not in event.detail
