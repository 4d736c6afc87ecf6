"""The sign-in forms of the agents' pages and of the admin, throttled (agents.throttle)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from agents import throttle


class SignInForm(AuthenticationForm):
    """Refuses at once, without checking the password, while the username or the client's
    address is locked; counts failures; a success clears the username's count."""

    refused_for = 0  # seconds the sign-in was refused for; the view answers 429

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = throttle.address_of(self.request.META) if self.request else ""
        self.refused_for = throttle.refused_for(username=username, address=address)
        if self.refused_for:
            raise ValidationError(throttle.refusal_message(self.refused_for), code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            # A right password refused for another reason (inactive, not staff) is no guess.
            # (Django only authenticates, and so only refuses here, with both fields given.)
            if self.user_cache is None:
                throttle.failure_record(username=username, address=address)
            raise
        if self.user_cache is not None:
            throttle.success_record(username=username, address=address)
        return cleaned


class AdminSignInForm(SignInForm, AdminAuthenticationForm):
    """The same for /admin/login/, keeping the admin's staff-only check."""


View = Callable[..., HttpResponse]


def refused_with_429(view: View) -> View:
    """A sign-in view that answers a refused attempt with 429 (for the admin's login)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        return refusal_status(response, form)

    return wrapper


def refusal_status(response: HttpResponse, form: object) -> HttpResponse:
    """429 Too Many Requests, with Retry-After, when the sign-in form refused the attempt."""
    seconds = getattr(form, "refused_for", 0)
    if seconds:
        response.status_code = 429
        response["Retry-After"] = str(seconds)
    return response


def admin_site_throttle(site: AdminSite) -> None:
    """The admin's sign-in uses the throttled form and answers a refusal with 429. AdminSite
    builds its login URL from `site.login` when the URLconf is first loaded, after ready()."""
    site.login_form = AdminSignInForm
    site.login = refused_with_429(site.login)  # type: ignore[method-assign]
