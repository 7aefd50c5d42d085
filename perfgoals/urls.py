from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notices/", include("allocations.urls")),
    path("indicators/", include("indicators.urls")),
    path("exports/", include("perfgoals.exports.urls")),
    path("", include("perfgoals.web_urls")),
]
