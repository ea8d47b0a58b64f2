from django.urls import path

import motcua.backoffice.views_monitoring as views_monitoring
from motcua.backoffice import audit_views, auth_views, views_work

app_name = "backoffice"

urlpatterns = [
    path("", views_work.dashboard, name="home"),
    path("dang-nhap/", auth_views.sign_in, name="sign_in"),
    path("xac-thuc-2-buoc/", auth_views.second_step, name="otp"),
    path("dang-xuat/", auth_views.sign_out, name="sign_out"),
    path("nhat-ky/", audit_views.audit_log, name="audit_log"),
    path("ds/<slug:key>/", views_work.worklist, name="worklist"),
    path("hang-loat/", views_work.bulk, name="bulk"),
    path("canh-bao/", views_work.deadline_watch, name="watch"),
    path("so-theo-doi/", views_work.tracking_book, name="tracking_book"),
    path("tiep-nhan/", views_work.intake_start, name="intake_start"),
    path("tiep-nhan/<str:code>/", views_work.intake, name="intake"),
    path("thong-ke/", views_monitoring.dashboard, name="monitoring"),
    path("thong-ke/ho-so/", views_monitoring.dossiers, name="monitoring_dossiers"),
    path("thong-ke/xuat/<slug:kind>/", views_monitoring.export, name="monitoring_export"),
    path("ho-so/<str:code>/", views_work.workspace, name="workspace"),
    path("ho-so/<str:code>/tep/<str:token>/", views_work.dossier_file, name="file"),
    path("ho-so/<str:code>/mau/<str:number>/", views_work.paper, name="paper"),
    path("ho-so/<str:code>/<str:action>/", views_work.act, name="act"),
]
