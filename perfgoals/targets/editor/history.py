"""The table's history pages: 修改记录 (its versions) and 版本对比 (two versions side by side).

Scoped like the read view: a table the user cannot see is a 404. Version numbers come from
the query string; a malformed or unknown one is answered with the page and a message.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from perfgoals.targets.history import (
    VersionNotFound,
    table_diff,
    table_version_numbers,
    table_versions,
)
from perfgoals.targets.selectors import target_table_visible


@login_required
def table_history(request: HttpRequest, pk: int) -> HttpResponse:
    table = target_table_visible(user=request.user, table_id=pk)
    versions = table_versions(table)
    context = {"table": table, "versions": versions, "numbers": [v.number for v in versions]}
    if len(versions) >= 2:
        context["picked"] = (versions[1].number, versions[0].number)
    return render(request, "perfgoals/history/versions.html", context)


def _version_number(text: str | None) -> int | None:
    """A version number typed or linked; None when it is not a positive whole number."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) < 1:
        return None
    return int(text)


@login_required
def table_compare(request: HttpRequest, pk: int) -> HttpResponse:
    table = target_table_visible(user=request.user, table_id=pk)
    numbers = table_version_numbers(table)
    context = {"table": table, "numbers": numbers}
    raw = (request.GET.get("a"), request.GET.get("b"))
    if raw == (None, None) and len(numbers) >= 2:
        raw = (str(numbers[-2]), str(numbers[-1]))
    a, b = (_version_number(text) for text in raw)
    context["picked"] = (a, b)
    if a is None or b is None:
        context["error"] = "请选择两个版本进行对比（版本号为正整数，如 1、2）。"
        return render(request, "perfgoals/history/compare.html", context, status=400)
    if a == b:
        context["error"] = f"请选择两个不同的版本进行对比（两处都选了第{a}版）。"
        return render(request, "perfgoals/history/compare.html", context, status=400)
    try:
        context["diff"] = table_diff(table, a, b)
    except VersionNotFound as exc:
        context["error"] = exc.message
        return render(request, "perfgoals/history/compare.html", context, status=404)
    return render(request, "perfgoals/history/compare.html", context)
