from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import path

from motcua.api.v1 import api


def home(request: HttpRequest) -> JsonResponse:
    """Until the citizen portal lands (issue 3): where to go next."""
    return JsonResponse(
        {
            "name": "motcua",
            "api": "/api/v1/docs",
            "openapi": "/api/v1/openapi.json",
            "admin": "/admin/",
            "try": "/api/v1/procedures?q=dang%20ky%20khai%20sinh",
        },
        json_dumps_params={"ensure_ascii": False},
    )


urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
