from django.urls import include, path

urlpatterns = [
    path("", include("perfgoals.urls_home")),
    path("tables/", include("perfgoals.urls_editor")),
]
