from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from heelwise.website.services import ENQUIRY_RETENTION, enquiry_purge


class Command(BaseCommand):
    help = "Delete contact-form enquiries older than the retention period (365 days). Run daily."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=ENQUIRY_RETENTION.days)

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = enquiry_purge(now=timezone.now(), older_than=timedelta(days=options["days"]))
        self.stdout.write(f"Deleted {deleted} enquiries older than {options['days']} days.")
