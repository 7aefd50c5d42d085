from django.urls import path, re_path

from perfgoals.exports import views

app_name = "exports"

urlpatterns = [
    path("", views.index, name="index"),
    path("jobs/", views.job_create, name="job_create"),
    path("jobs/<uuid:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:pk>/download/", views.job_download, name="job_download"),
    re_path(
        r"^(?P<kind>target|allocation|notice|department|summary)/(?P<ident>\d+(?:-\d{4})?)"
        r"\.(?P<fmt>pdf|xlsx)$",
        views.download,
        name="download",
    ),
]
