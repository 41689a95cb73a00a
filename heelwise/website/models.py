from __future__ import annotations

from django.conf import settings
from django.db import models

from heelwise.clinics.models import Site

ENQUIRY_AUDIT_TYPE = "website.enquiry"  # AuditEvent.object_type of enquiry reads and changes


class Enquiry(models.Model):
    """A message sent through the public contact form."""

    class Topic(models.TextChoices):
        HEEL_PAIN = "heel_pain", "Heel pain or running injury"
        APPOINTMENT = "appointment", "Booking or changing an appointment"
        TREATMENT = "treatment", "A question about a treatment"
        OTHER = "other", "Something else"

    class ContactPreference(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    name = models.CharField(max_length=100)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    preferred_contact = models.CharField(
        max_length=8, choices=ContactPreference.choices, default=ContactPreference.EMAIL
    )
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL)
    topic = models.CharField(max_length=16, choices=Topic.choices)
    message = models.TextField(max_length=3000)
    consent = models.BooleanField(
        help_text="Agreed that the clinic may use these details to reply."
    )
    handled = models.BooleanField(default=False, help_text="Answered (the reply has been sent).")
    handled_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was marked answered on the staff pages."
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who marked it answered on the staff pages.",
    )
    staff_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "enquiries"

    def __str__(self) -> str:
        return f"Enquiry #{self.pk} ({self.get_topic_display()})"
