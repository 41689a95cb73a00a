from __future__ import annotations

from datetime import date, time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from heelwise.clinics.models import Closure, OpeningHours, Site

PUBLIC_PAGES = [
    "website:home",
    "website:clinics",
    "website:guide",
    "website:practitioners",
    "website:contact",
    "website:contact_thanks",
    "website:privacy",
    "website:accessibility",
]
POSTCODES = {"london": "W1G 7JD", "manchester": "M3 3BN", "bedford": "MK40 4GH"}


@pytest.mark.django_db
class PublicPagesTests:
    @pytest.mark.parametrize("name", PUBLIC_PAGES)
    def test_it_renders_each_page_with_one_h1(
        self, client: Client, demo_clinic: None, name: str
    ) -> None:
        response = client.get(reverse(name))
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count("<h1") == 1
        assert 'href="/book/"' in html
        assert "NHS 111" in html

    def test_it_lists_all_three_clinics_with_postcodes_and_hours(
        self, client: Client, demo_clinic: None
    ) -> None:
        html = client.get(reverse("website:clinics")).content.decode()
        for slug, postcode in POSTCODES.items():
            assert postcode in html
            assert reverse("website:clinic_detail", args=[slug]) in html
        assert html.count('class="hours-table"') == 3
        assert "09:00 to 18:00" in html
        assert "Evening session" in html
        assert "Weekend session" in html
        assert 'href="tel:+441234380345">01234 380345</a>' in html
        assert "<address>" in html

    def test_it_shows_the_clinics_and_priced_services_on_the_home_page(
        self, client: Client, demo_clinic: None
    ) -> None:
        html = client.get(reverse("website:home")).content.decode()
        for postcode in POSTCODES.values():
            assert postcode in html
        assert "Monday to Saturday, 09:00 to 18:00" in html
        assert "Free 15-minute discovery call" in html
        assert "£95" in html
        assert "Phone or video" in html
        assert reverse("website:guide") in html

    @pytest.mark.parametrize("slug", list(POSTCODES))
    def test_it_renders_each_clinic_detail(
        self, client: Client, demo_clinic: None, slug: str
    ) -> None:
        response = client.get(reverse("website:clinic_detail", args=[slug]))
        assert response.status_code == 200
        html = response.content.decode()
        assert POSTCODES[slug] in html
        assert "Bank holidays" in html
        assert "Practitioners at this clinic" in html
        assert 'aria-label="Breadcrumb"' in html

    def test_it_groups_hours_by_day_with_the_kind_and_closed_days(
        self, client: Client, demo_clinic: None
    ) -> None:
        bedford = client.get(reverse("website:clinic_detail", args=["bedford"]))
        html = bedford.content.decode()
        monday = html.split('<span class="day-full">Monday</span>')[1].split("</tr>")[0]
        assert "09:00 to 18:00" in monday
        assert "18:00 to 20:00" in monday
        assert "Evening session" in monday
        sunday = html.split('<span class="day-full">Sunday</span>')[1].split("</tr>")[0]
        assert "Closed" in sunday

    def test_it_shows_upcoming_closures_only(self, client: Client, demo_clinic: None) -> None:
        site = Site.objects.get(slug="manchester")
        Closure.objects.create(
            site=site,
            first_day=date(2999, 1, 4),
            last_day=date(2999, 1, 5),
            reason="Staff training",
        )
        Closure.objects.create(
            site=site, first_day=date(2000, 1, 4), last_day=date(2000, 1, 5), reason="Old flood"
        )
        html = client.get(reverse("website:clinic_detail", args=["manchester"])).content.decode()
        assert "Staff training" in html
        assert "Old flood" not in html

    def test_it_returns_404_for_an_unknown_or_inactive_clinic(
        self, client: Client, demo_clinic: None
    ) -> None:
        assert client.get(reverse("website:clinic_detail", args=["paris"])).status_code == 404
        Site.objects.filter(slug="bedford").update(is_active=False)
        assert client.get(reverse("website:clinic_detail", args=["bedford"])).status_code == 404
        assert "MK40 4GH" not in client.get(reverse("website:clinics")).content.decode()

    def test_it_renders_practitioner_profiles(self, client: Client, demo_clinic: None) -> None:
        listing = client.get(reverse("website:practitioners")).content.decode()
        for name in ("Oliver Eaton", "Priya Shah", "Tom Walsh", "Dr Hannah Okafor"):
            assert name in listing
        response = client.get(reverse("website:practitioner_detail", args=["priya-shah"]))
        html = response.content.decode()
        assert "Chartered physiotherapist (MCSP)" in html
        assert "HCPC registered physiotherapist" in html
        assert "<li>Running injuries</li>" in html
        assert reverse("website:clinic_detail", args=["london"]) in html
        assert client.get("/practitioners/nobody/").status_code == 404

    def test_it_bounds_queries_on_the_clinics_page(self, client: Client, demo_clinic: None) -> None:
        client.get(reverse("website:clinics"))  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as three_sites:
            client.get(reverse("website:clinics"))
        site = Site.objects.create(
            slug="leeds",
            name="Leeds",
            street="1 Road",
            city="Leeds",
            postcode="LS1 1AA",
            phone="+44 1234 380345",
            email="info@prohealthclinic.co.uk",
        )
        OpeningHours.objects.create(site=site, weekday=0, opens=time(9), closes=time(17))
        with CaptureQueriesContext(connection) as four_sites:
            response = client.get(reverse("website:clinics"))
        assert "LS1 1AA" in response.content.decode()
        assert len(three_sites.captured_queries) <= 5
        assert len(four_sites.captured_queries) == len(three_sites.captured_queries)

    def test_it_renders_the_404_page(self, client: Client, db: None) -> None:
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


@pytest.mark.django_db
class AccountPagesTests:
    def test_it_renders_the_styled_login_page(self, client: Client) -> None:
        response = client.get(reverse("accounts:login"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1>Log in</h1>" in html
        assert "site.css" in html

    def test_it_shows_a_login_error_summary_and_keeps_the_email(
        self, client: Client, alice: object
    ) -> None:
        response = client.post(
            reverse("accounts:login"), {"username": "alice@example.com", "password": "wrong"}
        )
        html = response.content.decode()
        assert 'class="error-summary"' in html
        assert 'value="alice@example.com"' in html


def test_the_500_page_renders_without_a_request_context() -> None:
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Sorry, something went wrong" in html
    assert "NHS 111" in html
