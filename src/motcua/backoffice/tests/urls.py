"""The project's URLs with the back office and the OTP admin site mounted as ``src/motcua/urls.py`` is to
mount them (used with ``pytest.mark.urls`` until, and after, that file carries the same two lines)."""

from django.urls import include, path

from motcua.backoffice.admin_site import otp_admin_site
from motcua.urls import handler404 as handler404
from motcua.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("admin/", otp_admin_site().urls),
    path("nghiep-vu/", include("motcua.backoffice.urls")),
    *project_urlpatterns,
]
