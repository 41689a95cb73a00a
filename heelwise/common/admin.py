"""Admin building blocks for patient data, and the audit trail's own (read-only) admin.

Patient data is changed only through the apps' services (which keep invites, reminders and the
audit trail right), so its admins are read-only; and every list or record of it that a staff
member opens in the admin is written to the audit trail, like the staff pages' reads.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from heelwise.common.models import AuditEvent
from heelwise.common.services import audit_record

_M = TypeVar("_M", bound=Model)


class AuditedReadsAdmin(admin.ModelAdmin[_M]):
    """Writes an audit event (``view``, the model's label, no personal data in ``detail``) for
    each changelist or change page that renders. ``audit_subject`` is the lookup from the row to
    its patient's user id ("user", "booking__user", "pk"), or None when there is none."""

    audit_subject: str | None = "user"

    def _audit_view(
        self, request: HttpRequest, *, object_id: str, subject: int | None, detail: str
    ) -> None:
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            object_type=self.opts.label_lower,
            object_id=object_id,
            subject_user_id=subject,
            detail=detail,
        )

    def _subject_of(self, object_id: str) -> int | None:
        if self.audit_subject is None:
            return None
        try:
            value = (
                self.model._default_manager.filter(pk=object_id)
                .values_list(self.audit_subject, flat=True)
                .first()
            )
        except (ValueError, TypeError):  # not a valid primary key: the page was a 404 anyway
            return None
        return value if isinstance(value, int) else None

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            self._audit_view(request, object_id="list", subject=None, detail="admin list")
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            pk = unquote(object_id)
            self._audit_view(
                request, object_id=pk, subject=self._subject_of(pk), detail="admin record"
            )
        return response


class PatientDataAdmin(AuditedReadsAdmin[_M]):
    """Data a patient entered (or that records their care): viewable by staff with the view
    permission, never added, changed or deleted in the admin, and every read audited."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("at", "actor", "action", "object_type", "object_id", "subject_user_id")
    list_filter = ("action", "object_type")
    list_select_related = ("actor",)
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
