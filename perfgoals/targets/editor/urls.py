"""The editor's URLs, mounted at tables/: the pages and one URL per row action."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt

from perfgoals.targets import decomposition
from perfgoals.targets.editor import creation, history, imports, pages, review, rows

app_name = "tables"

urlpatterns = [
    path("new/", creation.table_create, name="create"),
    path("new/last-year/", creation.last_year_lookup, name="create_last_year"),
    path("import/", imports.import_upload, name="import"),
    path("import/<str:token>/", imports.import_preview, name="import_preview"),
    path("<int:pk>/", pages.table_detail, name="detail"),
    path("<int:pk>/edit/", pages.table_edit, name="edit"),
    path("<int:pk>/lint/", pages.table_lint, name="lint"),
    path("<int:pk>/tree/", pages.table_tree, name="tree"),
    path("<int:pk>/history/", history.table_history, name="history"),
    path("<int:pk>/decomposition/", decomposition.table_decomposition, name="decomposition"),
    path(
        "<int:pk>/decomposition/link/",
        decomposition.indicator_upper_link,
        name="decomposition_link",
    ),
    path("<int:pk>/history/compare/", history.table_compare, name="compare"),
    path("<int:table_pk>/rows/new/", rows.row_new, name="row_new"),
    path("<int:table_pk>/paste/", rows.paste, name="paste"),
    path("<int:table_pk>/library/", rows.library, name="library"),
    path("<int:table_pk>/acknowledge/", rows.lint_acknowledge, name="lint_acknowledge"),
    path("<int:pk>/submit/", review.table_submit, name="submit"),
    path("<int:pk>/withdraw/", review.table_withdraw, name="withdraw"),
    path("<int:pk>/adjust/", review.table_adjust, name="adjust"),
    path("<int:pk>/review/", review.table_review, name="review"),
    path("<int:pk>/review/decide/", review.review_decide, name="review_decide"),
    path("<int:pk>/review/comment/", review.review_comment, name="review_comment"),
    path("<int:pk>/review/correct/", review.review_correction, name="review_correct"),
    path("rows/<int:pk>/edit/", rows.row_edit, name="row_edit"),
    path("rows/<int:pk>/move/<str:direction>/", rows.row_move, name="row_move"),
    path("rows/<int:pk>/delete/", rows.row_delete, name="row_delete"),
    path("rows/<int:pk>/actions/", rows.row_actions, name="row_actions"),
    path("rows/<int:pk>/apply/", rows.row_apply_suggestion, name="row_apply_suggestion"),
]


def _moved(name: str):
    """A permanent redirect from a row URL's old /indicators/ path to its tables: URL.

    GETs get a 301; other methods a 308, so that a bookmarked form or an open editor tab
    still posts its body to the new path. The CSRF check is left to the view redirected to.
    """

    @csrf_exempt
    def view(request: HttpRequest, **kwargs) -> HttpResponse:
        url = reverse(f"tables:{name}", kwargs=kwargs)
        if query := request.META.get("QUERY_STRING"):
            url = f"{url}?{query}"
        return redirect(url, permanent=True, preserve_request=request.method not in ("GET", "HEAD"))

    return view


# The row URLs lived under /indicators/ until the editor became one package; they keep
# answering, as redirects, for one release.
# TODO(next release): remove with their include in perfgoals/urls.py.
moved_urlpatterns = [
    path("new/", creation.table_create, name="create"),
    path("new/last-year/", creation.last_year_lookup, name="create_last_year"),
    path("tables/<int:table_pk>/rows/new/", _moved("row_new")),
    path("tables/<int:table_pk>/paste/", _moved("paste")),
    path("tables/<int:table_pk>/library/", _moved("library")),
    path("tables/<int:table_pk>/acknowledge/", _moved("lint_acknowledge")),
    path("rows/<int:pk>/edit/", _moved("row_edit")),
    path("rows/<int:pk>/move/<str:direction>/", _moved("row_move")),
    path("rows/<int:pk>/delete/", _moved("row_delete")),
    path("rows/<int:pk>/apply/", _moved("row_apply_suggestion")),
]
