"""Reads: who may see an assessment, a patient's history and how their answers changed."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.db.models import QuerySet
from django.utils import timezone

from heelwise.assessment import engine, fhir
from heelwise.assessment.models import ANONYMOUS_RETENTION, Assessment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from heelwise.accounts.models import User
    from heelwise.booking.models import Booking

BOOKING_SALT = "heelwise.assessment.booking"
FEED_SALT = "heelwise.assessment.feed"


def assessment_get_for_viewer(
    *, public_id: uuid.UUID, user: User | AnonymousUser, session_ids: Iterable[str]
) -> Assessment | None:
    """The assessment if this viewer may see it: its owner, or (while unsaved and within the
    retention period) the browser session that took it. Anyone else gets None (a 404)."""
    # The answers and result load only when a page is rendered (not for a cached page).
    assessment = (
        Assessment.objects.defer("questionnaire_response", "result")
        .filter(public_id=public_id)
        .first()
    )
    if assessment is None:
        return None
    if assessment.user_id is not None:
        return assessment if user.is_authenticated and assessment.user_id == user.pk else None
    fresh = assessment.created >= timezone.now() - ANONYMOUS_RETENTION
    return assessment if fresh and str(public_id) in set(session_ids) else None


def assessment_list_for_user(*, user: User) -> QuerySet[Assessment]:
    return Assessment.objects.filter(user=user).order_by("-created")


def assessment_get_by_feed_token(*, token: str) -> Assessment | None:
    try:
        public_id = signing.Signer(salt=FEED_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    return Assessment.objects.filter(public_id=public_id).first()


def assessment_get_by_booking_token(*, token: str) -> Assessment | None:
    """For the booking flow and the clinician: the assessment a signed booking link names."""
    try:
        public_id = signing.Signer(salt=BOOKING_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    return Assessment.objects.filter(public_id=public_id).first()


def care_bookings(*, viewer: User) -> QuerySet[Booking]:
    """The care relationship: the (not cancelled) bookings through which ``viewer`` cares for
    patients: every one for a clinic administrator, those whose practitioner is ``viewer`` for a
    clinician, none for anyone else. Every page that shows a patient's data to a clinician
    decides from these."""
    from heelwise.accounts.models import User as UserModel
    from heelwise.booking.models import Booking

    live = Booking.objects.exclude(status=Booking.Status.CANCELLED)
    if viewer.role == UserModel.Role.ADMIN:
        return live
    if viewer.role != UserModel.Role.CLINICIAN:
        return live.none()
    return live.filter(practitioner__user=viewer)


def patients_in_care(*, viewer: User) -> QuerySet[User]:
    """The people whose data ``viewer`` may see as a carer: any account for a clinic
    administrator; for a clinician, the patients of their (not cancelled) bookings; nobody for
    anyone else. The same rule as ``assessment_get_for_clinician``."""
    from heelwise.accounts.models import User as UserModel

    if viewer.role == UserModel.Role.ADMIN:
        return UserModel.objects.all()
    if viewer.role != UserModel.Role.CLINICIAN:
        return UserModel.objects.none()
    return UserModel.objects.filter(pk__in=care_bookings(viewer=viewer).values("user_id"))


def assessment_get_for_clinician(*, token: str, clinician: User) -> Assessment | None:
    """The assessment a patient attached to a booking, for a clinician who cares for them.

    A clinic administrator may open it; a clinician only when they are the practitioner of a
    (not cancelled) booking of the patient who saved it, or of a booking made with it by the
    person who took it (the booking flow attaches an assessment only for its owner or, while it
    is unsaved, the browser that took it: ``heelwise.booking.views``). A booking attached to it
    by some other account never counts, so a token alone opens nothing. Anyone else gets None
    (a 404).
    """
    from django.db.models import Q

    from heelwise.accounts.models import User as UserModel

    assessment = assessment_get_by_booking_token(token=token)
    if assessment is None:
        return None
    if clinician.role == UserModel.Role.ADMIN:
        return assessment
    if clinician.role != UserModel.Role.CLINICIAN:
        return None
    # Saved: any booking of its owner, or one made with it before it was saved (no account on
    # the booking). Unsaved: a booking made with it without an account or from a patient
    # account (its creator, signed in to book). Never a booking of another account holder, nor
    # one a clinician or administrator made for themselves with someone else's token.
    bookings = care_bookings(viewer=clinician)
    made_with = Q(assessment=assessment, user__isnull=True)
    if assessment.user_id is not None:
        mine = Q(user_id=assessment.user_id) | made_with
    else:
        mine = made_with | Q(assessment=assessment, user__role=UserModel.Role.PATIENT)
    return assessment if bookings.filter(mine).exists() else None


def feed_token(assessment: Assessment) -> str:
    """Unguessable and stable (no timestamp), so a subscribed calendar URL never changes."""
    return signing.Signer(salt=FEED_SALT).sign_object(str(assessment.public_id))


def booking_token(assessment: Assessment) -> str:
    return signing.Signer(salt=BOOKING_SALT).sign_object(str(assessment.public_id))


def assessment_answers(assessment: Assessment) -> dict[str, Any]:
    return fhir.answers_from_response(assessment.questionnaire_response)


@dataclass(frozen=True)
class AnswerChange:
    key: str
    question: str
    before: str
    after: str


def answer_label(key: str, value: Any) -> str:
    """An answer as the patient saw it ("Yes", an option's label, "8 weeks")."""
    if value is None:
        return "Not answered"
    f = engine.finding(key)
    if f.type == "bool":
        return "Yes" if value else "No"
    if f.type == "enum":
        return dict(f.options).get(value, str(value))
    unit = f" {f.unit}" if f.unit and f.unit != "0-10" else ("/10" if f.unit == "0-10" else "")
    return f"{value:g}{unit}" if isinstance(value, float) else f"{value}{unit}"


def answer_changes(before: dict[str, Any], after: dict[str, Any]) -> list[AnswerChange]:
    kb = engine.knowledge_base()
    keys = sorted(set(before) | set(after), key=lambda k: kb.findings[k].order)
    return [
        AnswerChange(
            k,
            kb.findings[k].question,
            answer_label(k, before.get(k)),
            answer_label(k, after.get(k)),
        )
        for k in keys
        if before.get(k) != after.get(k)
    ]


@dataclass(frozen=True)
class HistoryEntry:
    assessment: Assessment
    changes: list[AnswerChange]


def assessment_history(assessments: Sequence[Assessment]) -> list[HistoryEntry]:
    """Newest first, each with the answers that changed since the assessment before it."""
    ordered = list(assessments)
    answers = [assessment_answers(a) for a in ordered]
    entries = []
    for i, a in enumerate(ordered):
        previous = answers[i + 1] if i + 1 < len(ordered) else None
        entries.append(
            HistoryEntry(a, answer_changes(previous, answers[i]) if previous is not None else [])
        )
    return entries


def assessment_export_for_user(user: User) -> list[dict[str, Any]]:
    """Personal-data export (accounts.personal_data provider)."""
    return [
        {
            "id": str(a.public_id),
            "created": a.created.isoformat(),
            "knowledge_base": a.kb_version,
            "disposition": a.disposition,
            "questionnaire_response": a.questionnaire_response,
            "result": a.result,
        }
        for a in assessment_list_for_user(user=user)
    ]
