from django.urls import path, re_path

from perfgoals.exports import views
from perfgoals.exports.kinds import KINDS

app_name = "exports"

urlpatterns = [
    path("", views.index, name="index"),
    path("jobs/", views.job_create, name="job_create"),
    path("jobs/<uuid:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:pk>/download/", views.job_download, name="job_download"),
    re_path(
        rf"^(?P<kind>{'|'.join(KINDS)})/(?P<ident>\d+(?:-\d{{4}})?)\.(?P<fmt>pdf|xlsx)$",
        views.download,
        name="download",
    ),
]
