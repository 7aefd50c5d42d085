"""Actions that cannot be undone ask first, with JavaScript or without.

A form marked data-confirm="…" asks in the browser (static/js/guard.js), which then adds
`confirmed=1` to what it posts. A POST without it (no JavaScript, or a forged request) is
answered with a page asking the same question, whose button posts the same fields again with
`confirmed=1`; nothing changes until then.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRMED = "confirmed"
NOT_REPOSTED = frozenset({"csrfmiddlewaretoken", CONFIRMED})


def unconfirmed(request: HttpRequest, *, question: str, cancel_url: str) -> HttpResponse | None:
    """None once the POST is confirmed; else the page that asks `question`."""
    if request.POST.get(CONFIRMED) == "1":
        return None
    fields = [
        (name, value)
        for name in request.POST
        if name not in NOT_REPOSTED
        for value in request.POST.getlist(name)
    ]
    context = {
        "question": question,
        "action": request.path,
        "fields": fields,
        "cancel_url": cancel_url,
    }
    return render(request, "confirm.html", context)
