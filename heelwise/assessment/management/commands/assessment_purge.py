"""Delete anonymous assessments past their retention period (run hourly from cron or a worker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from heelwise.assessment.services import assessment_purge_anonymous


class Command(BaseCommand):
    help = "Delete anonymous self-assessments older than the retention period (24 hours)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = assessment_purge_anonymous()
        self.stdout.write(f"Deleted {deleted} anonymous assessment(s).")
