"""Send due outbox emails (the safety net behind the task queue) and flag interrupted sends.

manage.py booking_outbox            # one sweep (cron every minute)
manage.py booking_outbox --loop     # keep sweeping every --interval seconds until SIGTERM
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from heelwise.booking.outbox import outbox_sweep


class Command(BaseCommand):
    help = "Send due booking emails that no task has sent yet (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep sweeping until stopped.")
        parser.add_argument("--interval", type=float, default=30.0)

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def _stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        if options["loop"]:
            signal.signal(signal.SIGTERM, _stop)
            signal.signal(signal.SIGINT, _stop)
        while True:
            result = outbox_sweep()
            self.stdout.write(
                f"due={result['due']} sent={result['sent']} interrupted={result['interrupted']}"
            )
            if not options["loop"] or stop.wait(options["interval"]):
                break
            close_old_connections()
