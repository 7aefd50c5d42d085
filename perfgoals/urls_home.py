from django.urls import path
from django.views.generic import RedirectView

urlpatterns = [
    # Replaced by the role home page and the target-table list (issue 3).
    path("", RedirectView.as_view(url="/admin/", permanent=False), name="home"),
]
