"""Hostile input into every form field of every page: never a 500, never a change.

The sweep reads the forms each page really renders (as a browser would), then posts each
form once per field and payload with every other field as rendered: overlong text, NUL
bytes, non-numbers into numbers, huge ids, formset counts out of range, a missing field.
Each request runs in a savepoint that is rolled back, so every post starts from the same
state and the version fields stay current.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.urls import reverse

from allocations.models import AllocationTable, FundNotice
from indicators.models import PerformanceIndicator
from perfgoals.models import TargetTable, User
from tests.allocations.conftest import build_seed_000
from tests.reviewing import submit

pytestmark = pytest.mark.django_db

MISSING = None
PAYLOADS = {
    "empty": "",
    "word": "abc",
    "negative": "-1",
    "exponent": "1e400",
    "digits": "9" * 30,
    "underscore": "1_000",
    "snan": "sNaN",
    "nul": "1\x00",
    "long": "长" * 5_000,
    "invisible": "\u200b\ufeff\u3000",
}
# A pasted cell over csv's field limit, posted into each multi-line field on its own (the
# request body limit would refuse it for all fields at once).
OVERLONG = "长" * 131_073
# Into every field of a form at once: a form cleans each field on its own, so one request
# covers them all; none of these may be saved by any field.
ALL_FIELDS = ("nul", "long", "word")
ALL_FIELDS_REFUSED = {"nul", "long"}
# Into every number, choice, version and formset count of a form at once, then into each
# hidden field on its own (views read those outside the form too): all must be refused.
NUMERIC = ("empty", "negative", "exponent", "digits", "underscore", "snan", "nul")
NUMERIC_REFUSED = {"exponent", "digits", "underscore", "snan", "nul", "word"}
# Each hidden field on its own: a view may read it outside the form (int(version)).
HIDDEN = ("word", "digits", "negative", "missing")
# Django ignores these management-form fields on input.
IGNORED = ("MIN_NUM_FORMS", "MAX_NUM_FORMS")
HUGE_ID = "9" * 30


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # name, value, kind

    def data(self) -> dict[str, list[str]]:
        data: dict[str, list[str]] = {}
        for name, value, _kind in self.fields:
            data.setdefault(name, []).append(value)
        return data


class _FormReader(HTMLParser):
    """The forms of a page with the values a browser would submit unchanged."""

    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: tuple[str, list[str], list[str]] | None = None
        self.textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = a.get("hx-post") or a.get("action") or self.page
            method = "post" if "hx-post" in a else (a.get("method") or "get").lower()
            self.form = Form(self.page, action, method)
            self.forms.append(self.form)
        elif self.form is None or "name" not in a:
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            numeric = kind in ("hidden", "number") or a.get("inputmode") in (
                "decimal",
                "numeric",
            )
            if kind in ("checkbox", "radio"):
                kind = "choice"
            elif kind == "hidden":
                # A version, an id or a formset count; other hidden fields carry text.
                kind = "hidden" if a.get("value", "").isdigit() else "text"
            elif numeric:
                kind = "num"
            else:
                kind = "text"
            self.form.fields.append((a["name"], a.get("value", ""), kind))
        elif tag == "select":
            self.select = (a["name"], [], [])
        elif tag == "option" and self.select is not None:
            self.select[1].append(a.get("value", ""))
            if "selected" in a:
                self.select[2].append(a.get("value", ""))
        elif tag == "textarea":
            self.textarea = (a["name"], [])

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None and self.form is not None:
            name, options, selected = self.select
            for value in selected or options[:1]:
                self.form.fields.append((name, value, "choice"))
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.form is not None:
            name, text = self.textarea
            self.form.fields.append((name, "".join(text).removeprefix("\n"), "textarea"))
            self.textarea = None


def forms_of(client, url: str) -> list[Form]:
    response = client.get(url)
    assert response.status_code == 200, url
    reader = _FormReader(url)
    reader.feed(response.content.decode())
    # A form of nothing but its CSRF token (delete, withdraw) has no input to spoil.
    return [
        f
        for f in reader.forms
        if "logout" not in f.action and any(n != "csrfmiddlewaretoken" for n, _v, _k in f.fields)
    ]


def fingerprint() -> tuple:
    """Row counts, version sums and last-change times of every table of the project."""
    parts = []
    for model in apps.get_models():
        if model._meta.app_label not in ("perfgoals", "allocations", "indicators", "exports"):
            continue
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table})")
        for f in model._meta.concrete_fields:
            if f.name == "version" or getattr(f, "auto_now", False):
                column = connection.ops.quote_name(f.column)
                parts.append(f"(SELECT MAX({column}) FROM {table})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())


def _generic(name: str) -> str:
    # Grid cells and formset rows repeat one field: c_12_34, line-3-amount.
    return re.sub(r"\d+", "N", name)


def _posted(form: Form, names, value) -> dict[str, list[str]]:
    data = form.data()
    for name in names:
        if name == "csrfmiddlewaretoken":
            continue
        if value is MISSING:
            data.pop(name, None)
        else:
            data[name] = [value] * len(data[name])
    return data


def cases(forms: list[Form]):
    """(form, posted data, what was varied, payload, whether it must change nothing)."""
    seen = set()
    for form in forms:
        action = _generic(urlsplit(form.action).path)
        signature = (action, tuple(sorted({_generic(n) for n, _v, _k in form.fields})))
        if signature in seen:
            continue
        seen.add(signature)
        names = [n for n, _v, _k in form.fields]
        numeric = [
            n
            for n, _v, kind in form.fields
            if kind in ("num", "choice", "hidden") and n != "csrfmiddlewaretoken"
        ]
        for payload in ALL_FIELDS:
            yield (
                form,
                _posted(form, names, PAYLOADS[payload]),
                "*",
                payload,
                (payload in ALL_FIELDS_REFUSED),
            )
        yield form, _posted(form, names, MISSING), "*", "missing", False
        for payload in NUMERIC if numeric else ():
            yield (
                form,
                _posted(form, numeric, PAYLOADS[payload]),
                "numbers",
                payload,
                (payload in NUMERIC_REFUSED),
            )
        for name, _value, kind in form.fields:
            if kind == "textarea":
                yield form, _posted(form, [name], OVERLONG), name, "overlong", True
            elif kind == "hidden" and name != "csrfmiddlewaretoken" and not name.endswith(IGNORED):
                for payload in HIDDEN:
                    value = MISSING if payload == "missing" else PAYLOADS[payload]
                    yield (
                        form,
                        _posted(form, [name], value),
                        name,
                        payload,
                        (payload in NUMERIC_REFUSED),
                    )


@pytest.fixture
def pages(demo, client):
    """(user, page URLs) for every page with a form, at the states where the forms show."""
    finance = User.objects.get(username="ruili_finance")
    notice = build_seed_000(finance)
    table = AllocationTable.objects.filter(notice=notice).first()
    target = TargetTable.objects.filter(
        organisation__name="瑞丽市卫生健康局", status=TargetTable.Status.DRAFT
    ).first()
    row = PerformanceIndicator.objects.filter(table=target, level=3).first()
    # A table in review: the 社保股 reviewer's screen with its decision and row forms.
    reviewed = TargetTable.objects.get(
        organisation__name="瑞丽市医疗保障局", layout=TargetTable.Layout.PROJECT
    )
    submit(reviewed, User.objects.get(username="ruili_medsec"))
    return [
        (
            "ruili_finance",
            [
                reverse("allocations:notice_list"),
                reverse("allocations:notice_detail", args=[notice.pk]),
                reverse("allocations:notice_edit", args=[notice.pk]),
                reverse("allocations:allocation_edit", args=[notice.pk, table.pk]),
                reverse("table_list"),
                reverse("exports:index"),
                reverse("tables:review", args=[reviewed.pk]),
            ],
        ),
        ("admin", [reverse("admin:perfgoals_user_add")]),
        (
            "ruili_health",
            [
                reverse("home"),
                reverse("tables:create"),
                reverse("tables:edit", args=[target.pk]),
                reverse("tables:import"),
                reverse("tables:library", args=[target.pk]) + f"?row={row.pk}",
                reverse("second_factor"),
            ],
        ),
    ]


def test_no_field_of_any_form_gives_a_500_or_changes_anything_with_hostile_input(client, pages):
    # A 500 is a finding to list with the others, not an exception that ends the sweep.
    client.raise_request_exception = False
    checked = 0
    problems = []
    views = set()
    fields = set()
    for username, urls in pages:
        client.force_login(User.objects.get(username=username))
        forms = [form for url in urls for form in forms_of(client, url)]
        for form, data, name, payload, refused in cases(forms):
            with transaction.atomic():
                before = fingerprint()
                send = client.post if form.method == "post" else client.get
                response = send(form.action, data)
                changed = fingerprint() != before
                transaction.set_rollback(True)
            checked += 1
            views.add(_generic(urlsplit(form.action).path))
            fields.update(
                (_generic(urlsplit(form.action).path), _generic(n)) for n, _v, _k in form.fields
            )
            if response.status_code >= 500 or (refused and changed and form.method == "post"):
                problems.append((form.action, name, payload, response.status_code, changed))
    print(
        f"hostile sweep: {len(views)} views, {len(fields)} fields, "
        f"{len(PAYLOADS) + 2} payloads, {checked} requests"
    )
    assert problems == [], sorted(
        {(_generic(a), _generic(n), p, code, ch) for a, n, p, code, ch in problems}
    )


def test_huge_ids_in_urls_and_queries_are_a_404_not_an_overflow(client, demo):
    client.force_login(User.objects.get(username="ruili_finance"))
    notice = FundNotice.objects.filter(issuer__name="瑞丽市财政局").first()
    row = PerformanceIndicator.objects.first()
    urls = [
        f"/notices/{HUGE_ID}/",
        f"/notices/{HUGE_ID}/edit/",
        f"/notices/{notice.pk}/allocations/{HUGE_ID}/",
        f"/tables/{HUGE_ID}/",
        f"/tables/{HUGE_ID}/edit/",
        f"/tables/rows/{HUGE_ID}/edit/",
        f"/exports/department/{HUGE_ID}.xlsx",
        f"/exports/notice/{HUGE_ID}.pdf",
        f"/tables/{row.table_id}/library/?category={HUGE_ID}",
        f"/notices/?recipient={HUGE_ID}",
    ]
    client.raise_request_exception = False
    answers = {url: client.get(url).status_code for url in urls}
    # Picked by id in a multiple choice: id IN (…) would overflow on SQLite.
    create = reverse("allocations:notice_create")
    answers[create] = client.post(create, {"recipients": [HUGE_ID], "title": "x"}).status_code
    assert answers[create] == 400
    assert {url: code for url, code in answers.items() if code >= 500} == {}
    assert answers[f"/notices/{HUGE_ID}/"] == 404
    assert answers[f"/exports/department/{HUGE_ID}.xlsx"] == 404


def test_a_model_form_field_kind_is_read_from_the_page(client, demo):
    """The sweep knows a number from its input mode, as the browser shows it."""
    reader = _FormReader("/")
    reader.feed('<form method="post"><input name="a" inputmode="decimal" value="1"></form>')
    assert reader.forms[0].fields == [("a", "1", "num")]
    assert isinstance(TargetTable._meta.get_field("amount_total"), models.DecimalField)
