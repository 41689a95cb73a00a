from __future__ import annotations

import ipaddress
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from heelwise.accounts import sign_in_limits
from heelwise.accounts.forms import DeleteAccountForm, SignUpForm
from heelwise.accounts.models import User
from heelwise.accounts.services import user_delete, user_export, user_sign_up
from heelwise.common.client_ip import client_ip
from heelwise.common.views import rate_limited


def _safe_next(request: HttpRequest) -> str | None:
    """The ``next`` page to go to after signing up, if it is on this site (no open redirect)."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _tried_email(request: HttpRequest, field: str) -> str:
    return str(request.POST.get(field, "")).strip().lower()


def _network(request: HttpRequest) -> str:
    """The client's address, an IPv6 one as its /64 (one household or host can hold a whole /64,
    so single IPv6 addresses would each get their own allowance)."""
    raw = client_ip(request)
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def login_attempt_key(group: str, request: HttpRequest) -> str:
    """One client network trying one account (the email as the form reads it). Keyed on both,
    a stranger cannot lock the real owner out by failing on purpose from elsewhere."""
    return f"{_network(request)}|{_tried_email(request, 'username')}"


def reset_email_key(group: str, request: HttpRequest) -> str:
    return _tried_email(request, "email")


# Guessing passwords and flooding someone's inbox with reset emails are both limited: per client
# address, per address and account tried, and reset emails per account; over the limit the
# visitor gets the 429 page, which points to the password reset.
def _login(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
    """Django's sign-in, paused for an account that has had too many wrong passwords from
    anywhere this hour (heelwise/accounts/sign_in_limits.py); its owner lifts the pause by
    resetting the password."""
    if request.method == "POST" and sign_in_limits.paused(_tried_email(request, "username")):
        return rate_limited(request)
    return auth_views.LoginView.as_view()(request, *args, **kwargs)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Setting a new password through the emailed link also lifts a sign-in pause."""

    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        sign_in_limits.clear(form.user.email)
        return response


login_view = ratelimit(key="ip", rate="30/h", method="POST", block=True)(
    ratelimit(key=login_attempt_key, rate="10/h", method="POST", block=True)(_login)
)
password_reset_confirm_view = PasswordResetConfirm.as_view()
password_reset_view = ratelimit(key="ip", rate="10/h", method="POST", block=True)(
    ratelimit(key=reset_email_key, rate="3/h", method="POST", block=True)(
        auth_views.PasswordResetView.as_view(
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
        )
    )
)


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="10/h", method="POST", block=True)
def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_sign_up(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            full_name=form.cleaned_data["full_name"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your account is ready.")
        return redirect(_safe_next(request) or "accounts:account")
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/sign_up.html", {"form": form}, status=status)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html")


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    data = user_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, default=str), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="heelwise-my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        user_delete(user=user)
        return render(request, "accounts/deleted.html")
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/delete.html", {"form": form}, status=status)
