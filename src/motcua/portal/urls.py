from django.urls import path

import motcua.portal.views_transparency as views_transparency
from motcua.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.search, name="search"),
    path("thu-tuc/<str:code>/", views.procedure, name="procedure"),
    path("thu-tuc/<str:code>/nop-truc-tuyen/", views.apply, name="apply"),
    path("su-kien/<slug:slug>/", views.life_event, name="life_event"),
    path("linh-vuc/", views.fields, name="fields"),
    path("linh-vuc/<int:field_id>/", views.field_procedures, name="field"),
    path("co-quan/", views.agencies, name="agencies"),
    path("co-quan/<str:code>/", views.agency_procedures, name="agency"),
    path("ho-so-nhap/<str:token>/xoa/", views.draft_delete, name="draft_delete"),
    path("ho-so-nhap/<str:token>/<str:step>/", views.draft_step, name="draft_step"),
    path("ho-so-cua-toi/", views.my_dossiers, name="my_dossiers"),
    path("ho-so-cua-toi/<str:code>/", views.dossier, name="dossier"),
    path("ho-so-cua-toi/<str:code>/giay-tiep-nhan.pdf", views.receipt, name="receipt"),
    path("ho-so-cua-toi/<str:code>/ket-qua.pdf", views.result_download, name="result"),
    path("ho-so-cua-toi/<str:code>/tep/<str:token>/", views.dossier_file, name="dossier_file"),
    path("ho-so-cua-toi/<str:code>/rut/", views.withdraw, name="withdraw"),
    path("ho-so-cua-toi/<str:code>/danh-gia/", views.evaluate, name="evaluate"),
    path("cong-khai/", (views_transparency.urlpatterns, None, None)),  # public transparency pages
    path("tra-cuu/", views.track, name="track"),
    path("xac-thuc/", views.verify_start, name="verify_start"),
    path("xac-thuc/<str:code>/", views.verify, name="verify"),
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-ky/", views.register, name="register"),
    path("dang-xuat/", views.logout_view, name="logout"),
]
