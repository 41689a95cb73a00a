from __future__ import annotations

from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "heelwise.booking"
    label = "booking"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Booking"

    def ready(self) -> None:
        from heelwise.accounts.personal_data import PersonalDataProvider, register
        from heelwise.booking.demo import booking_demo_load
        from heelwise.booking.personal_data import booking_erase_for_user, booking_export_for_user
        from heelwise.common import demo_hooks

        register(
            PersonalDataProvider(
                name="bookings", export=booking_export_for_user, erase=booking_erase_for_user
            )
        )
        if booking_demo_load not in demo_hooks.HOOKS:
            demo_hooks.HOOKS.append(booking_demo_load)
