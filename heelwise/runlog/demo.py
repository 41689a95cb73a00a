"""Demo recovery data for the demo patient (idempotent: added once, never duplicated).

Eight weeks of a runner easing back after plantar heel pain: two pairs of shoes, three or four
runs a week, a check-in every day with morning pain slowly settling, and a walk-run programme
started three weeks ago whose sessions settled, so it has moved on a few stages.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import transaction

DEMO_PATIENT = "patient@heelwise.test"
WEEKS = 8


@transaction.atomic
def runlog_demo_load() -> None:
    from heelwise.accounts.models import User
    from heelwise.runlog import services
    from heelwise.runlog.models import CheckIn, Programme, Run

    user = User.objects.filter(email=DEMO_PATIENT).first()
    if user is None or Run.objects.filter(user=user).exists():
        return
    today = services.local_today()
    old = services.shoe_save(user=user, name="Ghost 14", brand="Brooks", start_km=520)
    new = services.shoe_save(user=user, name="Novablast 4", brand="ASICS", is_default=True)
    first = today - timedelta(weeks=WEEKS)
    programme_start = today - timedelta(weeks=3)
    runs, checkins = [], []
    for i in range((today - first).days + 1):
        day = first + timedelta(days=i)
        in_programme = day >= programme_start
        morning = max(1, 5 - i // 12)
        session = i % 2 == 0
        during = (2 if in_programme else 3) if session else None
        checkins.append(
            CheckIn(
                user=user,
                date=day,
                first_step_pain=morning,
                run_pain_during=during,
                run_pain_after=during,
                settled_by_morning=(i % 2 == 1) or None,
                exercises="all" if i % 3 else "some",
            )
        )
        if session and day < today:
            km = 3 + (i // 14) * 0.8
            runs.append(
                Run(
                    user=user,
                    start=datetime(day.year, day.month, day.day, 7, 15, tzinfo=UTC),
                    local_date=day,
                    distance_m=km * 1000,
                    duration_s=km * 390,
                    moving_s=km * 380,
                    shoe=old if day < first + timedelta(weeks=4) else new,
                    source="manual",
                )
            )
    Run.objects.bulk_create(runs)
    CheckIn.objects.bulk_create(checkins)
    if not Programme.objects.filter(user=user).exists():
        services.programme_start(user=user, started_on=programme_start)
