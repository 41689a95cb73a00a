"""Recovery-tracking pages. Thin: validate, check the runner, call one service, render.
Every object is looked up through a selector filtered by ``request.user`` (others get 404),
except the clinician pages at the end, which read a patient the viewer cares for."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from csp.decorators import csp_exempt
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from heelwise.accounts.models import User
from heelwise.runlog import charts, selectors, services
from heelwise.runlog.careplan import care_plan_get
from heelwise.runlog.forms import (
    CheckInForm,
    ImportForm,
    ProgrammeForm,
    RunForm,
    ShoeAddForm,
    ShoeForm,
)
from heelwise.runlog.importing import import_job_create
from heelwise.runlog.models import Run
from heelwise.runlog.progression import load_rules
from heelwise.runlog.redflags import BY_KEY
from heelwise.runlog.upload_limits import REFUSED_MESSAGE, upload_refused


def _weeks(request: HttpRequest) -> int:
    try:
        weeks = int(request.GET.get("weeks", "26"))
    except ValueError:
        weeks = 26
    return weeks if weeks in selectors.CHART_WEEKS else 26


def _dashboard_context(request: HttpRequest, user: Any) -> dict[str, Any]:
    """What the dashboard shows of ``user``: the runner's own page and a carer's read of it."""
    today = services.local_today()
    weeks = _weeks(request)
    data = selectors.dashboard_get(user=user, today=today, weeks=weeks)
    block = _block(weeks)
    return {
        "data": data,
        "rows": data.series(block)[::-1],
        # Not "block": inside {% block %} Django binds that name to the block itself.
        "weeks_per_row": block,
        "shoes": selectors.shoe_stats(user=user),
        "weeks": weeks,
        "week_choices": selectors.CHART_WEEKS,
        "checked_in_today": data.latest_checkin_date == today,
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "runlog/dashboard.html", _dashboard_context(request, request.user))


def _block(weeks: int) -> int:
    """Weeks per chart point: four-week blocks beyond a year keep the chart readable."""
    return 4 if weeks > 52 else 1


def _svg_response(svg: str) -> HttpResponse:
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # Shown through <img>: styles inside the SVG are allowed, scripts never.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, no-cache"
    return response


def _pain_load_svg(request: HttpRequest, user: Any) -> HttpResponse:
    weeks = _weeks(request)
    block = _block(weeks)
    data = selectors.dashboard_get(user=user, today=services.local_today(), weeks=weeks)
    return _svg_response(charts.pain_load_svg(data.series(block), block))


@login_required
@csp_exempt()
def chart_pain_load(request: HttpRequest) -> HttpResponse:
    return _pain_load_svg(request, request.user)


@login_required
@csp_exempt()
def chart_shoes(request: HttpRequest) -> HttpResponse:
    return _svg_response(charts.shoes_svg(selectors.shoe_stats(user=request.user)))


# --- A clinician's read-only view of a patient they care for ---------------------------------
# Who may see whom is the care relationship of heelwise.assessment.selectors.patients_in_care;
# anyone else gets 404 (not 403), so a patient's existence is not revealed. Every read is audited.


def _carer(request: HttpRequest) -> Any:
    user = request.user
    if getattr(user, "role", None) not in {User.Role.CLINICIAN, User.Role.ADMIN}:
        raise Http404("Not found")
    return user


def _patient_read(request: HttpRequest, patient_id: int, part: str) -> Any:
    """The patient if the viewer cares for them (else 404), with the read audited."""
    patient = selectors.recovery_patient_get(viewer=request.user, patient_id=patient_id)
    services.recovery_view_record(viewer=request.user, patient=patient, part=part)
    return patient


@never_cache
@login_required
@require_GET
def clinician_patients(request: HttpRequest) -> HttpResponse:
    viewer = _carer(request)
    page = Paginator(selectors.recovery_patient_list(viewer=viewer), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "runlog/clinician_patients.html", {"page": page})


@never_cache
@login_required
@require_GET
def clinician_patient(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient_read(request, patient_id, "dashboard")
    context = _dashboard_context(request, patient)
    context.update(
        patient=patient,
        readonly=True,
        recent=selectors.checkin_recent(user=patient),
        pain_chart_url=reverse("runlog:clinician_chart_pain_load", args=[patient.pk]),
        shoes_chart_url=reverse("runlog:clinician_chart_shoes", args=[patient.pk]),
    )
    return render(request, "runlog/clinician_patient.html", context)


@never_cache
@login_required
@require_GET
@csp_exempt()  # type: ignore[arg-type]  # django-csp types a view as taking the request only
def clinician_chart_pain_load(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient_read(request, patient_id, "pain chart")
    return _pain_load_svg(request, patient)


@never_cache
@login_required
@require_GET
@csp_exempt()  # type: ignore[arg-type]  # django-csp types a view as taking the request only
def clinician_chart_shoes(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient_read(request, patient_id, "shoes chart")
    return _svg_response(charts.shoes_svg(selectors.shoe_stats(user=patient)))


BACKFILL_DAYS = 7


def _checkin_day(request: HttpRequest, today: date) -> date:
    """Today, or a missed day up to a week back (``?day=YYYY-MM-DD``)."""
    try:
        day = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return today
    return day if today - timedelta(days=BACKFILL_DAYS) <= day <= today else today


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest) -> HttpResponse:
    today = services.local_today()
    day = _checkin_day(request, today)
    existing = selectors.checkin_get_for_day(user=request.user, day=day)
    form = CheckInForm(request.POST or None, initial=CheckInForm.initial_from(existing))
    conflict = False
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            saved = services.checkin_save(
                user=request.user,
                day=day,
                first_step_pain=d["first_step_pain"],
                run_pain_during=d["run_pain_during"],
                run_pain_after=d["run_pain_after"],
                settled_by_morning=form.settled_value,
                exercises=d["exercises"],
                notes=d["notes"],
                red_flags=d["red_flags"],
                expected_version=d["version"],
            )
        except services.CheckInExistsError as exc:
            # Saved elsewhere since this form was shown: show that one, do not overwrite it.
            existing, conflict = exc.checkin, True
            form = CheckInForm(initial=CheckInForm.initial_from(existing))
        else:
            if saved.red_flags:
                return redirect("runlog:checkin_advice")
            done = "updated" if d["version"] else "saved"
            messages.success(request, f"Check-in {done}. Thank you.")
            return redirect("runlog:dashboard")
    status = 409 if conflict else 422 if request.method == "POST" else 200
    return render(
        request,
        "runlog/checkin.html",
        {
            "form": form,
            "day": day,
            "today": today,
            "existing": existing,
            "conflict": conflict,
            "recent": [today - timedelta(days=i) for i in range(1, BACKFILL_DAYS + 1)],
            "plan": care_plan_get(user=request.user),
        },
        status=status,
    )


@login_required
def checkin_advice(request: HttpRequest) -> HttpResponse:
    latest = selectors.checkin_list(user=request.user).first()
    flags = [BY_KEY[k] for k in latest.red_flags] if latest else []
    return render(request, "runlog/checkin_advice.html", {"flags": flags, "checkin": latest})


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.run_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "runlog/run_list.html", {"page": page})


def _run_fields(form: RunForm) -> dict[str, Any]:
    d = form.cleaned_data
    distance = d["distance_km"]
    return {
        "start": form.start,
        "duration_s": form.duration_s,
        "distance_m": None if distance is None else distance * 1000,
        "sport": d["sport"],
        "shoe": d["shoe"],
        "notes": d["notes"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def run_new(request: HttpRequest) -> HttpResponse:
    today = services.local_today()
    form = RunForm(request.POST or None, user=request.user, today=today, initial={"day": today})
    if request.method == "POST" and form.is_valid():
        try:
            services.run_create(user=request.user, **_run_fields(form))
        except services.RunExistsError as exc:
            form.add_error("start_time", str(exc))
        except ValidationError as exc:  # the service's own checks: shown on the form, not a 500
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Activity saved.")
            return redirect("runlog:run_list")
    status = 422 if request.method == "POST" else 200
    return render(request, "runlog/run_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def run_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a run entered by hand (imported runs hold what the file recorded: 404 here)."""
    run = selectors.run_get(user=request.user, pk=pk)
    if run.source != Run.Source.MANUAL:
        raise Http404
    form = RunForm(request.POST or None, user=request.user, today=services.local_today(), run=run)
    if request.method == "POST" and form.is_valid():
        try:
            services.run_update(
                user=request.user,
                run=run,
                expected_version=form.cleaned_data.get("version") or None,
                **_run_fields(form),
            )
        except services.RunChangedError as exc:
            run.refresh_from_db()
            form = RunForm(user=request.user, today=services.local_today(), run=run)
            context = {"form": form, "run": run, "stale_message": str(exc)}
            return render(request, "runlog/run_form.html", context, status=409)
        except services.RunExistsError as exc:
            form.add_error("start_time", str(exc))
        except ValidationError as exc:  # the service's own checks: shown on the form, not a 500
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Activity updated.")
            return redirect("runlog:run_detail", pk=run.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "runlog/run_form.html", {"form": form, "run": run}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(user=request.user, pk=pk)
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            services.run_delete(user=request.user, run=run)
            messages.success(request, "Activity deleted.")
            return redirect("runlog:run_list")
        shoe_id = request.POST.get("shoe") or ""
        shoe = selectors.shoe_get(user=request.user, pk=int(shoe_id)) if shoe_id.isdigit() else None
        services.run_set_shoe(user=request.user, run=run, shoe=shoe)
        messages.success(request, "Shoes updated.")
        return redirect("runlog:run_detail", pk=run.pk)
    shoes = selectors.shoe_list(user=request.user).filter(retired=False)
    return render(request, "runlog/run_detail.html", {"run": run, "shoes": shoes})


@login_required
@require_http_methods(["GET", "POST"])
def shoes(request: HttpRequest) -> HttpResponse:
    form = ShoeAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.shoe_save(user=request.user, **form.cleaned_data)
        except services.ShoeAlreadyAddedError as exc:
            messages.info(request, f"{exc.shoe} were already added: this form was sent twice.")
        else:
            messages.success(request, "Shoes added.")
        return redirect("runlog:shoes")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "runlog/shoes.html",
        {"form": form, "stats": selectors.shoe_stats(user=request.user)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def shoe_edit(request: HttpRequest, pk: int) -> HttpResponse:
    shoe = selectors.shoe_get(user=request.user, pk=pk)
    form = ShoeForm(request.POST or None, instance=shoe)
    if request.method == "POST" and form.is_valid():
        services.shoe_save(user=request.user, shoe=shoe, **form.cleaned_data)
        messages.success(request, "Shoes updated.")
        return redirect("runlog:shoes")
    status = 422 if request.method == "POST" else 200
    return render(request, "runlog/shoe_edit.html", {"form": form, "shoe": shoe}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    # An upload over the limit is refused by ImportSizeLimitMiddleware before its body is read,
    # or stopped by its upload handler while streaming (then flagged here).
    if request.method == "POST" and upload_refused(request):
        return import_refused(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(user=request.user, upload=form.cleaned_data["file"])
        return redirect("runlog:import_detail", pk=job.pk)
    status = 422 if request.method == "POST" else 200
    jobs = selectors.import_job_list(user=request.user)[:10]
    return render(request, "runlog/import_new.html", {"form": form, "jobs": jobs}, status=status)


def import_refused(request: HttpRequest) -> HttpResponse:
    """The 413 page: the import form again with the reason (no one's jobs are listed)."""
    context = {"form": ImportForm(), "jobs": [], "refused": REFUSED_MESSAGE}
    return render(request, "runlog/import_new.html", context, status=413)


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, pk=pk)
    template = "runlog/_import_progress.html" if request.headers.get("HX-Request") else None
    return render(request, template or "runlog/import_detail.html", {"job": job})


@login_required
@require_http_methods(["GET", "POST"])
def programme(request: HttpRequest) -> HttpResponse:
    today = services.local_today()
    form = ProgrammeForm(request.POST or None, today=today)
    if request.method == "POST" and request.POST.get("action") == "stop":
        services.programme_stop(user=request.user)
        messages.success(request, "Programme stopped.")
        return redirect("runlog:programme")
    if request.method == "POST" and form.is_valid():
        services.programme_start(
            user=request.user,
            started_on=form.cleaned_data["started_on"],
            start_stage=form.cleaned_data["start_stage"],
        )
        messages.success(request, "Programme started.")
        return redirect("runlog:programme")
    data = selectors.dashboard_get(user=request.user, today=today, weeks=12)
    return render(
        request,
        "runlog/programme.html",
        {"form": form, "data": data, "rules": load_rules(), "today": today},
        status=422 if request.method == "POST" else 200,
    )
