"""Periodic housekeeping: send due booking emails that no task sent, and apply retention.

    manage.py housekeeping            # one pass (cron: every minute)
    manage.py housekeeping --loop     # keep going until SIGTERM (what `make run` starts)

Every step is idempotent and safe to run on several machines at once: the outbox claims each
message with a conditional UPDATE, and the purges delete by age.
"""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from heelwise.assessment.services import assessment_purge_anonymous
from heelwise.booking.outbox import outbox_sweep
from heelwise.booking.personal_data import waitlist_purge_stale
from heelwise.common.services import session_purge_expired
from heelwise.runlog.importing import import_job_fail_stale
from heelwise.website.services import enquiry_purge

PURGE_EVERY_S = 3600.0


class Command(BaseCommand):
    help = (
        "Send due booking emails; delete expired sessions and anonymous assessments, old "
        "enquiries and stale waiting-list entries."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep running until stopped.")
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between sweeps.")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def _stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        if options["loop"]:
            signal.signal(signal.SIGTERM, _stop)
            signal.signal(signal.SIGINT, _stop)
        last_purge = 0.0
        while not stop.is_set():
            sweep = outbox_sweep()
            stale_imports = import_job_fail_stale(now=timezone.now())
            if stale_imports:
                self.stdout.write(f"imports failed as stale={stale_imports}")
            if time.monotonic() - last_purge >= PURGE_EVERY_S or not options["loop"]:
                assessments = assessment_purge_anonymous()
                enquiries = enquiry_purge(now=timezone.now())
                waitlist = waitlist_purge_stale()
                session_purge_expired()
                last_purge = time.monotonic()
                self.stdout.write(
                    f"purged anonymous_assessments={assessments} enquiries={enquiries} "
                    f"waitlist_entries={waitlist}; expired sessions cleared"
                )
            if sweep["sent"] or sweep["interrupted"]:
                self.stdout.write(f"outbox sent={sweep['sent']} interrupted={sweep['interrupted']}")
            if not options["loop"]:
                return
            close_old_connections()  # a long-lived loop must not hold a dead connection
            stop.wait(options["interval"])
