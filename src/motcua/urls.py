from django.urls import include, path

from motcua.api.v1 import api
from motcua.backoffice.admin_site import otp_admin_site

handler404 = "motcua.portal.views.not_found"

urlpatterns = [
    path("admin/", otp_admin_site().urls),
    path("nghiep-vu/", include("motcua.backoffice.urls")),
    path("api/v1/", api.urls),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("motcua.portal.urls")),
]
