"""The role home page's view: pick the signed-in user's sections and render them."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from perfgoals.home.context import (
    Section,
    admin_counts,
    bureau_sections,
    finance_sections,
    performance_sections,
)
from perfgoals.models import User


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    is_admin = user.is_superuser or user.role == User.Role.ADMINISTRATOR
    sections: list[Section] = []
    if user.organisation_id is not None:
        if user.role == User.Role.BUREAU_STAFF:
            sections = bureau_sections(user)
        elif user.role == User.Role.FINANCE_STAFF:
            sections = finance_sections(user)
        elif user.role == User.Role.PERFORMANCE_REVIEWER:
            sections = performance_sections(user)
    context = {
        "sections": sections,
        "is_admin": is_admin,
        "admin_counts": admin_counts(user) if is_admin else [],
    }
    return render(request, "perfgoals/home.html", context)
