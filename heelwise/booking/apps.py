from __future__ import annotations

from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "heelwise.booking"
    label = "booking"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Booking"

    def ready(self) -> None:
        from heelwise.booking.demo import booking_demo_load
        from heelwise.common import demo_hooks

        if booking_demo_load not in demo_hooks.HOOKS:
            demo_hooks.HOOKS.append(booking_demo_load)
