"""Self-assessment pages: the multi-step questionnaire, the result, downloads and history.

Views parse input, check access through the selectors, call one service and render.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from heelwise.accounts.models import User
from heelwise.assessment import engine, fhir, flow
from heelwise.assessment.flow import STEPS, STEPS_BY_KEY, Progress, Step, StepSubmission
from heelwise.assessment.fragments import cached_fragment, cached_page, fragment_key
from heelwise.assessment.ics import exercise_calendar
from heelwise.assessment.models import ANONYMOUS_RETENTION, Assessment
from heelwise.assessment.pdf import cached_care_plan_pdf
from heelwise.assessment.presentation import (
    EMERGENCY_SIGNS,
    SAME_DAY_SIGNS,
    ResultView,
    offers_schedule,
    result_view,
    triage,
)
from heelwise.assessment.selectors import (
    assessment_answers,
    assessment_get_by_feed_token,
    assessment_get_for_clinician,
    assessment_get_for_viewer,
    assessment_history,
    assessment_list_for_user,
    booking_token,
    feed_token,
)
from heelwise.assessment.services import assessment_save_to_account, assessment_submit
from heelwise.clinical.knowledge_base import Finding
from heelwise.common.services import audit_record

LOCATION_KEY = "pain_location"
# Where each pain location is drawn on the heel diagram (positions are in assessment.css).
HOTSPOT_PANELS = {
    "plantar_medial": "sole",
    "plantar_central": "sole",
    "lateral_heel": "sole",
    "plantar_arch": "side",
    "posteroinferior": "side",
    "posterior_insertion": "side",
    "posterior_midportion": "side",
    "medial_ankle": "side",
}


def _step_url(key: str) -> str:
    return reverse("assessment:step", args=[key])


RESULTS_COOKIE = "hw_results"
RESULTS_SALT = "heelwise.assessment.results"


def _result_ids(request: HttpRequest) -> list[str]:
    """Ids of the anonymous results this browser took, from a signed cookie that expires with
    them (no database session is needed to look at a result)."""
    max_age = int(ANONYMOUS_RETENTION.total_seconds())
    raw = request.get_signed_cookie(RESULTS_COOKIE, default="", salt=RESULTS_SALT, max_age=max_age)
    return [part for part in str(raw).split(",") if part][-10:]


def _remember_result(request: HttpRequest, response: HttpResponse, assessment: Assessment) -> None:
    ids = [*_result_ids(request)[-9:], str(assessment.public_id)]
    response.set_signed_cookie(
        RESULTS_COOKIE,
        ",".join(ids),
        salt=RESULTS_SALT,
        max_age=int(ANONYMOUS_RETENTION.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
        # Site-wide: the booking flow (/book/) reads it to let this browser share its result.
        path="/",
    )


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


# --------------------------------------------------------------------------- questionnaire


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    progress = Progress.load(request.session)
    context = {
        "steps": STEPS,
        "resume_step": progress.first_incomplete() if progress.started else None,
        "retention_hours": int(ANONYMOUS_RETENTION.total_seconds() // 3600),
        "emergency_signs": EMERGENCY_SIGNS,
        "same_day_signs": SAME_DAY_SIGNS,
    }
    return render(request, "assessment/start.html", context)


@require_POST
def restart(request: HttpRequest) -> HttpResponse:
    request.session.pop(flow.SESSION_KEY, None)
    return redirect(_step_url(STEPS[0].key), permanent=False)


def _options(f: Finding) -> list[tuple[str, str]]:
    if f.type == "bool":
        return [("yes", "Yes"), ("no", "No")]
    return list(f.options)


def _raw(f: Finding, value: Any) -> str:
    if value is None:
        return ""
    if f.type == "bool":
        return "yes" if value else "no"
    return str(value)


def _rows(
    step: Step, progress: Progress, raw: dict[str, str], errors: dict[str, str]
) -> list[dict[str, Any]]:
    answers = {**progress.answers(upto=step.key), **progress.shown_values(step.key)}
    questions = flow.visible(flow.step_questions(step, progress), answers)
    ranked = set(progress.focus or []) if step.focus else set()
    rows = []
    for f in questions:
        required = step.is_required(f.key)
        rows.append(
            {
                "f": f,
                "value": raw.get(f.key, ""),
                "error": errors.get(f.key),
                "required": required,
                "options": _options(f),
                "unsure": not required and f.type != "number",
                "is_location": f.key == LOCATION_KEY,
                "ranked": f.key in ranked,
                "enable_when": f.enable_when_spec,
                "enable_when_json": json.dumps(f.enable_when_spec) if f.enable_when_spec else "",
                "hotspots": _hotspots(f) if f.key == LOCATION_KEY else [],
            }
        )
    return rows


def _hotspots(f: Finding) -> list[dict[str, Any]]:
    return [
        {"value": value, "label": label, "number": i, "panel": HOTSPOT_PANELS[value]}
        for i, (value, label) in enumerate(f.options, start=1)
        if value in HOTSPOT_PANELS
    ]


def _render_step(
    request: HttpRequest,
    step: Step,
    progress: Progress,
    submission: StepSubmission | None = None,
    finished: str | None = None,
) -> HttpResponse:
    if submission is None:
        stored = progress.shown_values(step.key)
        questions = flow.step_questions(step, progress)
        raw = {f.key: _raw(f, stored.get(f.key)) for f in questions}
        errors: dict[str, str] = {}
        form_errors: list[str] = []
    else:
        raw, errors, form_errors = submission.raw, submission.errors, submission.form_errors
    index = flow.STEP_KEYS.index(step.key)
    prior = progress.answers(upto=step.key)
    shown = progress.shown_values(step.key)
    focus = flow.focus_keys(progress) if step.focus or step.key == "history" else None
    key = fragment_key("step", engine.kb_version(), step.key, focus, prior, shown, raw, errors)
    rows: list[dict[str, Any]] = []

    def render_questions() -> str:
        rows.extend(_rows(step, progress, raw, errors))
        return render_to_string("assessment/_questions.html", {"rows": rows})

    questions_html = cached_fragment(key, render_questions)
    kb = engine.knowledge_base()
    context = {
        "step": step,
        "questions_html": questions_html,
        "errors": [(k, kb.findings[k].question, message) for k, message in errors.items()],
        "form_errors": form_errors,
        "number": index + 1,
        "total": len(STEPS),
        "percent": round(100 * index / len(STEPS)),
        "steps": [
            {
                "key": s.key,
                "title": s.title,
                "done": s.key in progress.steps,
                "current": s.key == step.key,
            }
            for s in STEPS
        ],
        "previous": flow.previous_step(step.key),
        "prior_json": json.dumps(prior),
        # This browser's latest finished result, when nothing new has been started (e.g. Back
        # from a result that stopped at the safety step lands here): said above the form.
        "finished_result": finished,
    }
    if progress.started and request.session.get(flow.SESSION_KEY) != progress.dump():
        request.session[flow.SESSION_KEY] = progress.dump()  # e.g. the focus questions chosen
    status = 422 if submission is not None else 200
    return render(request, "assessment/step.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, key: str) -> HttpResponse:
    current = STEPS_BY_KEY.get(key)
    if current is None:
        raise Http404("No such step")
    progress = Progress.load(request.session)
    if not progress.can_open(key):
        first = progress.first_incomplete() or STEPS[0].key
        latest = _result_ids(request)[-1:]
        if not progress.started and latest:
            # e.g. the browser's Back button after the result: the answers left the session
            # with the result, so say where they are rather than show an empty form.
            messages.info(
                request,
                "You have finished this assessment and your answers are in this result. To "
                "change them, choose \u201cChange my answers\u201d below.",
            )
            return redirect("assessment:result", public_id=latest[0])
        if not progress.started:
            messages.error(request, f"Please start with \u201c{STEPS_BY_KEY[first].title}\u201d.")
            return redirect(_step_url(first))
        messages.error(
            request,
            f"Please answer \u201c{STEPS_BY_KEY[first].title}\u201d first. Nothing you have "
            "already answered has been lost.",
        )
        return redirect(_step_url(first))
    if request.method == "GET":
        latest = _result_ids(request)[-1:]
        finished = latest[0] if latest and not progress.started else None
        page_key = fragment_key(
            "step-page",
            engine.kb_version(),
            key,
            progress.dump(),
            progress.first_incomplete(),
            finished,
        )
        return cached_page(
            request, page_key, lambda: _render_step(request, current, progress, finished=finished)
        )

    submission = flow.parse_step(current, progress, request.POST)
    stores = submission.ok or request.POST.get("nav") == "back"
    if stores and not request.user.is_authenticated and not progress.started:
        # Unfinished anonymous answers expire with the anonymous retention (housekeeping then
        # deletes the expired session row), however long the session cookie would otherwise last.
        request.session.set_expiry(ANONYMOUS_RETENTION)
    if request.POST.get("nav") == "back":
        if submission.ok:
            progress.store(key, submission.values)
        else:
            progress.keep_draft(key, submission.values)
        request.session[flow.SESSION_KEY] = progress.dump()
        return redirect(_step_url(flow.previous_step(key) or key))
    if not submission.ok:
        return _render_step(request, current, progress, submission)
    progress.store(key, submission.values)
    request.session[flow.SESSION_KEY] = progress.dump()
    answers = progress.answers()
    following = flow.next_step(key)
    if following is not None and not flow.should_stop(engine.assess(answers)):
        return redirect(_step_url(following))
    assessment = assessment_submit(
        answers=answers, user=_user(request), stopped_early=following is not None
    )
    request.session.pop(flow.SESSION_KEY, None)  # the answers leave the session
    if not request.user.is_authenticated:
        request.session.set_expiry(None)  # and so does the short expiry set for them
    if not request.user.is_authenticated and not request.session.keys():
        request.session.flush()  # an anonymous visitor keeps no session row at all
    response = redirect("assessment:result", public_id=assessment.public_id)
    _remember_result(request, response, assessment)
    return response


# --------------------------------------------------------------------------- result


def _viewable(request: HttpRequest, public_id: uuid.UUID) -> Assessment:
    assessment = assessment_get_for_viewer(
        public_id=public_id, user=request.user, session_ids=_result_ids(request)
    )
    if assessment is None:
        raise Http404("No such assessment")
    return assessment


def _links(request: HttpRequest, assessment: Assessment) -> dict[str, Any]:
    result_url = request.build_absolute_uri(
        reverse("assessment:result", args=[assessment.public_id])
    )
    feed_path = reverse("assessment:feed", args=[feed_token(assessment)])
    feed_url = request.build_absolute_uri(feed_path)
    return {
        "assessment": assessment,
        "result_url": result_url,
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
        "book_url": "/book/?"
        + urlencode({"service": "discovery-call", "assessment": booking_token(assessment)}),
        "save_url": reverse("assessment:save", args=[assessment.public_id]),
        "retention_hours": int(ANONYMOUS_RETENTION.total_seconds() // 3600),
    }


def _result_context(request: HttpRequest, assessment: Assessment) -> dict[str, Any]:
    """Everything the PDF shows: the links and the full result view."""
    _load_content(assessment)
    view = result_view(assessment.result, assessment_answers(assessment))
    return {**_links(request, assessment), "view": view}


@never_cache
@require_GET
def result(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    assessment = _viewable(request, public_id)
    page_key = fragment_key("result-page", str(assessment.public_id), assessment.kb_version)
    return cached_page(request, page_key, lambda: _render_result(request, assessment))


def _load_content(assessment: Assessment) -> None:
    """Load the deferred answers and result together (one query)."""
    deferred = assessment.get_deferred_fields() & {"result", "questionnaire_response"}
    if deferred:
        assessment.refresh_from_db(fields=sorted(deferred))


def _render_result(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    _load_content(assessment)
    result = assessment.result
    context = _links(request, assessment)
    built: list[ResultView] = []

    def full_view() -> ResultView:
        if not built:
            built.append(result_view(result, assessment_answers(assessment)))
        return built[0]

    def render_part(template: str) -> str:
        return render_to_string(template, {"assessment": assessment, "view": full_view()})

    # A stored result never changes, so its rendered body is cached by id and KB version.
    version = (str(assessment.public_id), assessment.kb_version)
    context.update(
        {
            "view": {
                **triage(result, assessment_answers(assessment)),
                "kb_version": assessment.kb_version,
            },
            "has_plan": bool(result.get("care_plan")),
            "has_schedule": offers_schedule(result),
            "body_html": cached_fragment(
                fragment_key("result-body", *version),
                lambda: render_part("assessment/_result_body.html"),
            ),
            "answers_html": cached_fragment(
                fragment_key("result-answers", *version),
                lambda: render_part("assessment/_result_answers.html"),
            ),
            "save_next": urlencode({"next": context["save_url"]}),
        }
    )
    return render(request, "assessment/result.html", context)


@require_GET
def result_pdf(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    assessment = _viewable(request, public_id)
    key = fragment_key(
        "pdf",
        str(assessment.public_id),
        assessment.kb_version,
        request.get_host(),
        request.is_secure(),
    )
    pdf = cached_care_plan_pdf(key, lambda: _result_context(request, assessment))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="heel-pain-care-plan.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def result_fhir(request: HttpRequest, public_id: uuid.UUID) -> JsonResponse:
    """The stored answers as a FHIR R4 QuestionnaireResponse (for the patient's own records)."""
    assessment = _viewable(request, public_id)
    _load_content(assessment)
    response = JsonResponse(assessment.questionnaire_response, content_type="application/fhir+json")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    assessment = assessment_get_by_feed_token(token=token)
    if assessment is None:
        raise Http404("No such calendar")
    response = HttpResponse(
        exercise_calendar(assessment),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="heel-exercises.ics"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
def change_answers(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Re-open the questionnaire filled in with this result's answers; finishing it makes a
    new result (this one is kept as it was)."""
    assessment = _viewable(request, public_id)
    _load_content(assessment)
    progress = flow.Progress.from_answers(assessment_answers(assessment))
    request.session[flow.SESSION_KEY] = progress.dump()
    if not request.user.is_authenticated:
        request.session.set_expiry(ANONYMOUS_RETENTION)  # as for any unfinished answers
    messages.info(
        request,
        "Your answers are filled in. Change any you need and continue to the end for a new "
        "result; the earlier result is not changed.",
    )
    return redirect(_step_url(STEPS[0].key))


@login_required
@require_http_methods(["GET", "POST"])
def save(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    assessment = _viewable(request, public_id)
    user = _user(request)
    assert user is not None
    if request.method == "POST":
        assessment_save_to_account(assessment=assessment, user=user)
        messages.success(request, "Your assessment is saved to your account.")
        return redirect("assessment:history")
    return render(request, "assessment/save.html", {"assessment": assessment})


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    assert user is not None
    entries = assessment_history(list(assessment_list_for_user(user=user)[:20]))
    return render(request, "assessment/history.html", {"entries": entries})


@never_cache
@login_required
@require_GET
def clinician(request: HttpRequest, token: str) -> HttpResponse:
    user = _user(request)
    assert user is not None
    assessment = assessment_get_for_clinician(token=token, clinician=user)
    if assessment is None:
        raise Http404("No such assessment")
    audit_record(
        actor=user,
        action="view",
        object_type="assessment",
        object_id=assessment.public_id,
        subject_user_id=assessment.user_id,
        detail="clinician opened an assessment attached to a booking",
    )
    kb = engine.knowledge_base()
    suggested = [
        (key, kb.findings[key].question, kb.findings[key].answered_by)
        for key in assessment.result.get("next_questions", [])
        if key in kb.findings
    ]
    context = {
        **_result_context(request, assessment),
        "differential": assessment.result["differential"],
        "suggested": suggested,
        "patient": assessment.user,
    }
    return render(request, "assessment/clinician.html", context)


@require_GET
def questionnaire(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(fhir.questionnaire(), content_type="application/fhir+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response
