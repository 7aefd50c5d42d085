"""The project's one URLconf: every page of the site, by feature."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from perfgoals.accounts import views as account_views
from perfgoals.accounts.forms import LoginForm
from perfgoals.home import views as home_views
from perfgoals.operations import views as operations_views
from perfgoals.targets import lists
from perfgoals.targets.editor.urls import moved_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/", account_views.second_factor, name="second_factor"),
    path("", home_views.home, name="home"),
    path("tables/", lists.table_list, name="table_list"),
    path("tables/", include("perfgoals.targets.editor.urls")),
    path("indicators/", include(moved_urlpatterns)),
    path("notices/", include("allocations.urls")),
    path("exports/", include("perfgoals.exports.urls")),
    path("healthz/", operations_views.health, name="health"),
]

# Error pages in Chinese in the product's layout; a database that is away gets the 503 page.
handler400 = "perfgoals.operations.views.bad_request"
handler403 = "perfgoals.operations.views.permission_denied"
handler404 = "perfgoals.operations.views.page_not_found"
handler500 = "perfgoals.operations.views.server_error"
