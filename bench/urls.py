"""The product's URLs plus the benchmarks' floor (issue 17): `/bench/floor/`, a
login-required page that renders the layout alone. Nothing in the product imports this."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from perfgoals.urls import handler400, handler403, handler404, handler500  # noqa: F401
from perfgoals.urls import urlpatterns as product_urlpatterns


@login_required
def floor(request):
    return render(request, "base.html")


urlpatterns = [path("bench/floor/", floor), *product_urlpatterns]
