from __future__ import annotations

from django.contrib import admin

from heelwise.clinics.forms import ClosureForm, RoomForm, SiteForm
from heelwise.clinics.models import Closure, OpeningHours, Practitioner, Room, Service, Site


class OpeningHoursInline(admin.TabularInline[OpeningHours, Site]):
    model = OpeningHours
    extra = 0


class RoomInline(admin.TabularInline[Room, Site]):
    """Refuses to deactivate a room with confirmed bookings ahead until acknowledged."""

    model = Room
    form = RoomForm
    extra = 0


class ClosureInline(admin.StackedInline[Closure, Site]):
    """Refuses a closure over confirmed bookings until the clashes are acknowledged."""

    model = Closure
    form = ClosureForm
    extra = 0


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin[Site]):
    form = SiteForm  # deactivating a site with confirmed bookings ahead needs acknowledging
    list_display = ("name", "city", "postcode", "phone", "is_active")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [OpeningHoursInline, RoomInline, ClosureInline]


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin[Practitioner]):
    list_display = ("name", "title", "is_active")
    filter_horizontal = ("sites",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin[Service]):
    list_display = ("name", "minutes", "mode", "price_display", "bookable_online", "is_active")
    prepopulated_fields = {"slug": ("name",)}
