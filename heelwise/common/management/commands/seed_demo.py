from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from heelwise.common.demo import DEMO_LOGINS, demo_data_load


class Command(BaseCommand):
    help = "Load the demo clinic (sites, hours, practitioners, services, demo logins). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        demo_data_load()
        self.stdout.write(self.style.SUCCESS("Demo clinic data loaded."))
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.role:<10} {login.email}  password: {login.password}")
