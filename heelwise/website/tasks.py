from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django_tasks import task

from heelwise.website.models import Enquiry


@task()
def enquiry_notify_staff(enquiry_id: int) -> None:
    """Tell the clinic team a new enquiry arrived. The email holds a link, not the message:
    personal data stays in the system, behind a login. The link opens the staff inbox page
    (clinicians and administrators; the admin site is for administrators only)."""
    enquiry = Enquiry.objects.select_related("site").get(pk=enquiry_id)
    link = settings.SITE_URL + reverse("website_staff:enquiry", args=[enquiry.pk])
    site = enquiry.site.name if enquiry.site else "no preference"
    send_mail(
        subject=f"New enquiry #{enquiry.pk}: {enquiry.get_topic_display()}",
        message=(
            f"A new enquiry has arrived (clinic: {site}; reply by "
            f"{enquiry.get_preferred_contact_display().lower()}).\n\n"
            f"Read and answer it here: {link}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=settings.CLINIC_STAFF_EMAILS,
    )
