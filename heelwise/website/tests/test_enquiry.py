from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from heelwise.clinics.models import Site
from heelwise.website.models import Enquiry

MESSAGE = (
    "My left heel has hurt on the first steps every morning since I started marathon training."
)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Any:
    cache.clear()
    yield
    cache.clear()


def good_data(**overrides: Any) -> dict[str, Any]:
    site = Site.objects.get(slug="manchester")
    data: dict[str, Any] = {
        "name": "Alice Runner",
        "email": "alice@example.com",
        "phone": "",
        "preferred_contact": "email",
        "site": str(site.pk),
        "topic": "heel_pain",
        "message": MESSAGE,
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


BAD_FIELDS = [
    ("name", {"name": ""}, "Please tell us your name."),
    ("name", {"name": "A"}, "Please give at least two characters of your name."),
    ("email", {"email": ""}, "Please give an email address."),
    (
        "email",
        {"email": "alice-at-example"},
        "Enter an email address in the form name@example.com.",
    ),
    ("phone", {"phone": "call me maybe"}, "Enter a phone number using digits, spaces"),
    (
        "phone",
        {"preferred_contact": "phone", "phone": ""},
        "Please give a phone number if you would like us to call.",
    ),
    ("topic", {"topic": ""}, "Please choose what your message is about."),
    ("message", {"message": ""}, "Please write a message."),
    ("message", {"message": "Help"}, "Please write a little more (at least 10 characters)."),
    ("consent", {"consent": ""}, "Please tick the box so that we may use your details to reply."),
]


@pytest.mark.django_db
class EnquiryFormTests:
    def test_it_shows_an_accessible_empty_form(self, client: Client, demo_clinic: None) -> None:
        html = client.get(reverse("website:contact")).content.decode()
        assert 'for="id_name"' in html
        assert 'aria-describedby="id_email_helptext"' in html
        assert 'id="id_email_helptext"' in html
        assert "<legend>How should we reply?</legend>" in html
        assert 'class="hp-field" aria-hidden="true"' in html
        assert 'tabindex="-1"' in html
        assert "error-summary" not in html

    @pytest.mark.parametrize(("field", "overrides", "message"), BAD_FIELDS)
    def test_it_rejects_each_bad_field_keeping_the_input_and_storing_nothing(
        self,
        client: Client,
        demo_clinic: None,
        field: str,
        overrides: dict[str, Any],
        message: str,
    ) -> None:
        before = Enquiry.objects.count()
        data = good_data(**overrides)
        response = client.post(reverse("website:contact"), data)
        assert response.status_code == 422
        html = response.content.decode()
        form = response.context["form"]
        assert list(form.errors) == [field]
        assert message in form.errors[field][0]
        # The error summary links to the field and the field explains its own error.
        assert 'role="alert"' in html
        assert f'href="#{form[field].id_for_label}"' in html
        assert f'id="id_{field}_error"' in html
        assert 'aria-invalid="true"' in html or field == "preferred_contact"
        # What the person typed is kept.
        assert "Alice Runner" in html or field == "name"
        assert MESSAGE in html or field == "message"
        if field == "email" and data["email"]:
            assert 'value="alice-at-example"' in html
        assert Enquiry.objects.count() == before
        assert mail.outbox == []

    def test_it_reports_several_errors_at_once(self, client: Client, demo_clinic: None) -> None:
        response = client.post(
            reverse("website:contact"), good_data(name="", email="nope", message="", consent="")
        )
        assert response.status_code == 422
        assert set(response.context["form"].errors) == {"name", "email", "message", "consent"}
        assert Enquiry.objects.count() == 0

    @override_settings(SITE_URL="http://testserver.example")
    def test_it_stores_one_enquiry_and_emails_staff_without_the_message(
        self, client: Client, demo_clinic: None, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("website:contact"),
                good_data(preferred_contact="phone", phone="07700 900123"),
            )
        assert response.status_code == 302
        assert response["Location"] == reverse("website:contact_thanks")
        enquiry = Enquiry.objects.get()
        assert enquiry.name == "Alice Runner"
        assert enquiry.phone == "07700 900123"
        assert enquiry.site is not None and enquiry.site.slug == "manchester"
        assert enquiry.consent is True
        assert len(mail.outbox) == 1
        email = mail.outbox[0]
        body = f"{email.subject}\n{email.body}"
        assert "marathon" not in body
        assert "Alice" not in body
        assert "alice@example.com" not in body
        assert "07700" not in body
        assert f"http://testserver.example/staff/enquiries/{enquiry.pk}/\n" in email.body
        assert "/admin/" not in email.body

    def test_the_thank_you_page_says_what_happens_next(self, client: Client) -> None:
        html = client.get(reverse("website:contact_thanks")).content.decode()
        assert "What happens next" in html
        assert "one working day" in html
        assert "Alice" not in html

    def test_it_silently_drops_honeypot_posts(
        self, client: Client, demo_clinic: None, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("website:contact"), good_data(website="http://spam.example")
            )
        assert response.status_code == 302
        assert Enquiry.objects.count() == 0
        assert mail.outbox == []


@pytest.mark.django_db
class EnquiryThrottleTests:
    @override_settings(ENQUIRY_RATE="5/10m")
    def test_it_throttles_the_sixth_post_from_one_client(
        self, client: Client, demo_clinic: None
    ) -> None:
        statuses = [
            client.post(
                reverse("website:contact"), good_data(name=""), REMOTE_ADDR="203.0.113.9"
            ).status_code
            for _ in range(6)
        ]
        assert statuses == [422] * 5 + [429]
        blocked = client.post(reverse("website:contact"), good_data(), REMOTE_ADDR="203.0.113.9")
        assert blocked.status_code == 429
        assert "Too many requests" in blocked.content.decode()
        assert Enquiry.objects.count() == 0
        # Another client is not affected, and reading the page is never throttled.
        other = client.post(reverse("website:contact"), good_data(), REMOTE_ADDR="198.51.100.7")
        assert other.status_code == 302
        assert client.get(reverse("website:contact"), REMOTE_ADDR="203.0.113.9").status_code == 200

    @override_settings(ENQUIRY_RATE="2/m")
    def test_it_reads_the_rate_from_settings(self, client: Client, demo_clinic: None) -> None:
        statuses = [
            client.post(reverse("website:contact"), good_data(name="")).status_code
            for _ in range(3)
        ]
        assert statuses == [422, 422, 429]
