"""The staff enquiries inbox (/staff/enquiries/): persona access to every page and action, the
audit trail, filters, pagination, marking answered or reopening, and bad input."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from heelwise.clinics.models import Site
from heelwise.common.models import AuditEvent
from heelwise.website.models import ENQUIRY_AUDIT_TYPE, Enquiry
from heelwise.website.tests.test_security import InlineCodeFinder

pytestmark = pytest.mark.django_db

LIST = "/staff/enquiries/"
# 1 June 2027 11:30 UTC is 12:30 in London (British Summer Time).
RECEIVED = datetime(2027, 6, 1, 11, 30, tzinfo=UTC)
ANSWERED = datetime(2027, 6, 2, 8, 5, tzinfo=UTC)  # 09:05 in London
MESSAGE = "My left heel hurts on the first steps every morning since marathon training."


@pytest.fixture
def dana(db: None) -> Any:
    """A clinic administrator."""
    User = get_user_model()
    return User.objects.create_user(
        "dana@example.com", "dana-password-1", full_name="Dana Admin", role=User.Role.ADMIN
    )


def make(
    *,
    name: str = "Erin Enquirer",
    site: str | None = "manchester",
    received: datetime = RECEIVED,
    handled: bool = False,
    **extra: Any,
) -> Enquiry:
    enquiry = Enquiry.objects.create(
        name=name,
        email="erin@example.com",
        phone="07700 900456",
        preferred_contact="phone",
        site=Site.objects.get(slug=site) if site else None,
        topic="heel_pain",
        message=MESSAGE,
        consent=True,
        handled=handled,
        **extra,
    )
    Enquiry.objects.filter(pk=enquiry.pk).update(created_at=received)
    enquiry.refresh_from_db()
    return enquiry


def rows(response: Any) -> list[int]:
    return [e.pk for e in response.context["enquiries"]]


def audits(**filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=ENQUIRY_AUDIT_TYPE, **filters).order_by("pk"))


def detail_url(enquiry: Enquiry) -> str:
    return f"/staff/enquiries/{enquiry.pk}/"


def action_url(enquiry: Enquiry) -> str:
    return f"/staff/enquiries/{enquiry.pk}/action/"


class EnquiryStaffAccessTests:
    def test_it_sends_anonymous_people_to_log_in_from_every_page_and_action(
        self, client: Client, demo_clinic: None
    ) -> None:
        enquiry = make()
        for response in (
            client.get(LIST),
            client.get(detail_url(enquiry)),
            client.post(action_url(enquiry), {"action": "answered"}),
        ):
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login") + "?next=")
        enquiry.refresh_from_db()
        assert enquiry.handled is False
        assert audits() == []

    def test_it_refuses_patients_with_the_403_page_and_changes_nothing(
        self, client: Client, demo_clinic: None, alice: Any
    ) -> None:
        enquiry = make()
        client.force_login(alice)
        for response in (
            client.get(LIST),
            client.get(detail_url(enquiry)),
            client.post(action_url(enquiry), {"action": "answered"}),
        ):
            assert response.status_code == 403
            assert "This page is not open to your account" in response.content.decode()
            assert MESSAGE not in response.content.decode()
        enquiry.refresh_from_db()
        assert enquiry.handled is False
        assert audits() == []

    def test_the_admin_site_flag_alone_does_not_open_the_inbox(
        self, client: Client, demo_clinic: None, alice: Any
    ) -> None:
        alice.is_staff = True
        alice.save()
        client.force_login(alice)
        assert client.get(LIST).status_code == 403
        assert client.get(detail_url(make())).status_code == 403

    @pytest.mark.parametrize("persona", ["bob", "dana"])
    def test_clinicians_and_administrators_use_every_page_and_action(
        self, client: Client, demo_clinic: None, persona: str, request: pytest.FixtureRequest
    ) -> None:
        user = request.getfixturevalue(persona)
        enquiry = make()
        client.force_login(user)
        assert client.get(LIST).status_code == 200
        assert client.get(detail_url(enquiry)).status_code == 200
        answered = client.post(action_url(enquiry), {"action": "answered"})
        assert answered.status_code == 302 and answered["Location"] == detail_url(enquiry)
        reopened = client.post(action_url(enquiry), {"action": "reopen"})
        assert reopened.status_code == 302
        enquiry.refresh_from_db()
        assert enquiry.handled is False
        assert [(a.action, a.actor_id) for a in audits()] == [
            ("view", user.pk),
            ("view", user.pk),
            ("update", user.pk),
            ("update", user.pk),
        ]

    def test_the_action_only_accepts_post(
        self, client: Client, demo_clinic: None, bob: Any
    ) -> None:
        client.force_login(bob)
        assert client.get(action_url(make())).status_code == 405

    def test_the_bookings_nav_links_to_the_inbox(
        self, client: Client, demo_clinic: None, bob: Any
    ) -> None:
        client.force_login(bob)
        html = client.get("/staff/bookings/deliveries/").content.decode()
        assert f'href="{LIST}">Enquiries</a>' in html


class EnquiryListTests:
    def test_it_lists_open_enquiries_newest_first_without_message_bodies(
        self, client: Client, demo_clinic: None, bob: Any
    ) -> None:
        older = make(name="Older Person", received=datetime(2027, 5, 1, 9, 0, tzinfo=UTC))
        newer = make(name="Newer Person", site=None)
        make(name="Answered Person", handled=True)
        client.force_login(bob)
        response = client.get(LIST)
        assert response.status_code == 200
        assert rows(response) == [newer.pk, older.pk]
        html = response.content.decode()
        assert '<h2 id="enquiries-title">Open enquiries, all clinics</h2>' in html
        assert html.index("Newer Person") < html.index("Older Person")
        assert "Answered Person" not in html
        assert "1 Jun 2027, 12:30" in html  # Europe/London, not UTC
        assert "1 May 2027, 10:00" in html
        assert "Heel pain or running injury" in html
        assert "Manchester" in html and "No preference" in html
        assert "<td>Phone</td>" in html and '<span class="tag">Open</span>' in html
        assert MESSAGE not in html
        assert "erin@example.com" not in html and "07700" not in html
        assert f'href="{detail_url(newer)}"' in html

    def test_it_filters_by_status_and_clinic(
        self, client: Client, demo_clinic: None, bob: Any
    ) -> None:
        manchester_open = make(site="manchester")
        london_open = make(site="london")
        no_site_open = make(site=None)
        london_answered = make(site="london", handled=True)
        client.force_login(bob)
        assert set(rows(client.get(LIST, {"status": "answered"}))) == {london_answered.pk}
        assert set(rows(client.get(LIST, {"status": "all"}))) == {
            manchester_open.pk,
            london_open.pk,
            no_site_open.pk,
            london_answered.pk,
        }
        assert set(rows(client.get(LIST, {"site": "london"}))) == {london_open.pk}
        both = client.get(LIST, {"site": "london", "status": "all"})
        assert set(rows(both)) == {london_open.pk, london_answered.pk}
        assert "Open and answered enquiries, London" in both.content.decode()
        assert set(rows(client.get(LIST, {"site": "none"}))) == {no_site_open.pk}
        assert both.context["ignored"] == []

    @pytest.mark.parametrize(
        ("query", "said"),
        [
            ({"status": "bogus"}, "Ignored status “bogus”"),
            ({"site": "mars"}, "Ignored clinic “mars”"),
            ({"page": "abc"}, "Ignored page “abc”"),
            ({"page": "99"}, "Ignored page “99”"),
            ({"status": "<b>x</b>"}, "Ignored status “&lt;b&gt;x&lt;/b&gt;”"),
        ],
    )
    def test_it_ignores_bad_filter_values_and_says_what_it_shows(
        self, client: Client, demo_clinic: None, bob: Any, query: dict[str, str], said: str
    ) -> None:
        shown = make()
        make(handled=True)
        client.force_login(bob)
        response = client.get(LIST, query)
        assert response.status_code == 200
        html = response.content.decode()
        assert said in html
        assert "Showing open enquiries, all clinics." in html
        assert rows(response) == [shown.pk]
        assert 'option value="open" selected' in html
        assert 'value="mars"' not in html and 'value="bogus"' not in html

    def test_it_pages_twenty_at_a_time_keeping_the_filters(
        self, client: Client, demo_clinic: None, bob: Any
    ) -> None:
        for minute in range(25):
            make(site="london", received=RECEIVED.replace(minute=minute))
        make(site="bedford")
        client.force_login(bob)
        first = client.get(LIST, {"site": "london"})
        assert len(rows(first)) == 20
        html = first.content.decode()
        assert "25 enquiries, newest first (page 1 of 2)" in html
        assert 'href="?status=open&amp;site=london&amp;page=2"' in html
        second = client.get(LIST, {"site": "london", "page": "2"})
        assert len(rows(second)) == 5
        assert set(rows(first)).isdisjoint(rows(second))

    def test_the_query_count_does_not_grow_with_the_page(
        self, client: Client, demo_clinic: None, bob: Any, django_assert_num_queries: Any
    ) -> None:
        client.force_login(bob)
        make()
        client.get(LIST)  # warm the session
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as one:
            client.get(LIST)
        for minute in range(19):
            make(received=RECEIVED.replace(minute=minute), site=None if minute % 2 else "london")
        with django_assert_num_queries(len(one.captured_queries)):
            assert len(rows(client.get(LIST))) == 20

    def test_each_list_view_is_audited_with_the_ids_shown_and_nothing_personal(
        self, client: Client, demo_clinic: None, bob: Any
    ) -> None:
        first, second = make(), make(received=RECEIVED.replace(hour=15))
        client.force_login(bob)
        client.get(LIST)
        client.get(LIST, {"status": "answered"})
        listed = audits()
        assert [(a.action, a.object_id, a.actor_id) for a in listed] == [
            ("view", "list", bob.pk),
            ("view", "list", bob.pk),
        ]
        assert listed[0].detail == f"listed {second.pk},{first.pk}"
        assert listed[1].detail == "listed none"
        assert listed[0].subject_user_id is None


class EnquiryDetailTests:
    def test_it_shows_the_message_and_contact_details_and_audits_the_view(
        self, client: Client, demo_clinic: None, dana: Any
    ) -> None:
        enquiry = make()
        client.force_login(dana)
        response = client.get(detail_url(enquiry))
        assert response.status_code == 200
        html = response.content.decode()
        assert f"<h1>Enquiry #{enquiry.pk}: Heel pain or running injury</h1>" in html
        assert MESSAGE in html
        assert 'href="mailto:erin@example.com"' in html
        assert 'href="tel:07700900456"' in html
        assert "Tuesday 1 June 2027, 12:30 (UK time)" in html
        assert 'value="answered">Mark answered</button>' in html
        assert response["Cache-Control"].startswith("max-age=0")
        (event,) = audits()
        assert (event.action, event.object_id, event.actor_id) == ("view", str(enquiry.pk), dana.pk)
        assert event.detail == "viewed the enquiry"
        for secret in ("Erin", "erin@example.com", "07700", "heel"):
            assert secret not in event.detail

    def test_unknown_enquiries_are_404_for_pages_and_actions(
        self, client: Client, demo_clinic: None, bob: Any
    ) -> None:
        client.force_login(bob)
        assert client.get("/staff/enquiries/999999/").status_code == 404
        assert (
            client.post("/staff/enquiries/999999/action/", {"action": "answered"}).status_code
            == 404
        )
        assert client.get("/staff/enquiries/abc/").status_code == 404
        assert audits() == []

    def test_an_enquiry_marked_in_the_admin_says_who_and_when_are_unknown(
        self, client: Client, demo_clinic: None, bob: Any
    ) -> None:
        enquiry = make(handled=True)
        client.force_login(bob)
        html = client.get(detail_url(enquiry)).content.decode()
        assert "marked in the admin: who and when were not recorded" in html
        assert 'value="reopen">Reopen</button>' in html


class EnquiryActionTests:
    @pytest.fixture
    def at_answer_time(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(timezone, "now", lambda: ANSWERED)

    def test_marking_answered_records_who_and_when_and_audits_it(
        self, client: Client, demo_clinic: None, bob: Any, at_answer_time: None
    ) -> None:
        enquiry = make()
        client.force_login(bob)
        response = client.post(action_url(enquiry), {"action": "answered"}, follow=True)
        assert response.status_code == 200
        enquiry.refresh_from_db()
        assert enquiry.handled is True
        assert enquiry.handled_by == bob and enquiry.handled_at == ANSWERED
        html = response.content.decode()
        assert f"Enquiry #{enquiry.pk} marked answered." in html
        assert "by Bob Clinician, 2 Jun 2027, 09:05 (UK time)" in html
        assert "2 Jun 2027, 09:05: Marked answered by Bob Clinician" in html
        update = audits(action="update")
        assert [(a.object_id, a.actor_id, a.detail) for a in update] == [
            (str(enquiry.pk), bob.pk, "marked answered")
        ]
        assert rows(client.get(LIST)) == []
        assert rows(client.get(LIST, {"status": "answered"})) == [enquiry.pk]

    def test_reopening_clears_the_answer_and_keeps_the_history(
        self, client: Client, demo_clinic: None, bob: Any, dana: Any, at_answer_time: None
    ) -> None:
        enquiry = make()
        client.force_login(bob)
        client.post(action_url(enquiry), {"action": "answered"})
        client.force_login(dana)
        response = client.post(action_url(enquiry), {"action": "reopen"}, follow=True)
        enquiry.refresh_from_db()
        assert (enquiry.handled, enquiry.handled_by, enquiry.handled_at) == (False, None, None)
        html = response.content.decode()
        assert f"Enquiry #{enquiry.pk} reopened." in html
        assert "Reopened by Dana Admin" in html and "Marked answered by Bob Clinician" in html
        assert [(a.actor_id, a.detail) for a in audits(action="update")] == [
            (bob.pk, "marked answered"),
            (dana.pk, "reopened"),
        ]

    @pytest.mark.parametrize("data", [{"action": "delete"}, {"action": ""}, {}])
    def test_a_bad_action_is_400_with_a_message_and_changes_nothing(
        self, client: Client, demo_clinic: None, bob: Any, data: dict[str, str]
    ) -> None:
        enquiry = make()
        client.force_login(bob)
        response = client.post(action_url(enquiry), data)
        assert response.status_code == 400
        html = response.content.decode()
        assert "Unknown action: choose “Mark answered” or “Reopen”. Nothing was changed." in html
        assert 'role="alert"' in html
        enquiry.refresh_from_db()
        assert enquiry.handled is False and enquiry.handled_at is None
        assert audits(action="update") == []

    def test_marking_an_answered_enquiry_again_is_409_and_keeps_the_first_answer(
        self, client: Client, demo_clinic: None, bob: Any, dana: Any
    ) -> None:
        enquiry = make()
        client.force_login(bob)
        client.post(action_url(enquiry), {"action": "answered"})
        client.force_login(dana)  # e.g. a second tab opened before Bob answered
        response = client.post(action_url(enquiry), {"action": "answered"})
        assert response.status_code == 409
        assert "already marked answered. Nothing was changed." in response.content.decode()
        enquiry.refresh_from_db()
        assert enquiry.handled_by == bob
        again = client.post(action_url(make()), {"action": "reopen"})
        assert again.status_code == 409 and "already open" in again.content.decode()
        assert len(audits(action="update")) == 1


class EnquiryPageMarkupTests:
    def test_the_pages_have_labels_headings_and_no_inline_code(
        self, client: Client, demo_clinic: None, bob: Any
    ) -> None:
        enquiry = make()
        client.force_login(bob)
        pages = [
            client.get(LIST),
            client.get(LIST, {"status": "bogus"}),
            client.get(detail_url(enquiry)),
            client.post(action_url(enquiry), {"action": "bogus"}),
        ]
        for response in pages:
            html = response.content.decode()
            finder = InlineCodeFinder()
            finder.feed(html)
            assert finder.problems == [] and finder.external == []
            assert html.count("<h1") == 1
        listing = pages[0].content.decode()
        assert '<label for="f-status">Status</label>' in listing
        assert '<label for="f-site">Clinic</label>' in listing
        assert 'id="f-status" name="status"' in listing and 'id="f-site" name="site"' in listing
        assert '<th scope="col">Received</th>' in listing
        # The filters come before the results, the error summary before the details.
        assert listing.index('id="f-status"') < listing.index("<table")
        error_page = pages[3].content.decode()
        assert error_page.index("error-summary") < error_page.index('class="summary-list"')
