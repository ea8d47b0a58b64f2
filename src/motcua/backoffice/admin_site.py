"""The admin site behind the second factor: only staff verified with their authenticator code in this
session get in, superusers included (django-otp's ``OTPAdminSite``).

There is one staff sign-in: the admin's login page sends people to the back office's (password, then the
code, with lockout, first-time enrolment and the audit log) and they come back to the admin afterwards.

``otp_admin_site()`` is a site named ``admin`` holding every model registered on ``django.contrib.admin.site``
(each app's ``admin.py`` registers there, as usual); ``src/motcua/urls.py`` serves it at ``/admin/``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_otp.admin import OTPAdminSite

from motcua.backoffice.access import is_verified, safe_next


class StaffAdminSite(OTPAdminSite):
    site_header = "Quản trị hệ thống một cửa / motcua administration"
    site_title = "Quản trị motcua"
    index_title = "Quản trị / Administration"

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Send the person to the staff sign-in (and back here); a verified account without the right to
        administer gets a 403 page instead of a redirect loop."""
        index = reverse("admin:index", current_app=self.name)
        if self.has_permission(request):
            return redirect(safe_next(request, index))
        if request.user.is_authenticated and is_verified(request):
            return render(request, "backoffice/forbidden.html", {"reason": "admin"}, status=403)
        return redirect(f"{reverse('backoffice:sign_in')}?{urlencode({'next': safe_next(request, index)})}")


@lru_cache(maxsize=1)
def otp_admin_site() -> StaffAdminSite:
    """The OTP-protected site with the registrations and actions of ``django.contrib.admin.site``.

    Built on first use, after every app's ``admin.py`` has run (Django's admin autodiscovery happens
    when the apps are ready, before the URLconf is loaded).
    """
    site = StaffAdminSite(name="admin")
    for model, model_admin in admin.site._registry.items():
        site.register(model, type(model_admin))
    for name, action in admin.site.actions:
        if name not in site._actions:
            site.add_action(action, name)
    return site
