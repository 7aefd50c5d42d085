from django.urls import path

from allocations import views

app_name = "allocations"

urlpatterns = [
    path("", views.notice_list, name="notice_list"),
    path("new/", views.notice_create, name="notice_create"),
    path("<int:pk>/", views.notice_detail, name="notice_detail"),
    path("<int:pk>/edit/", views.notice_edit, name="notice_edit"),
    path("<int:pk>/issue/", views.notice_issue, name="notice_issue"),
    path("<int:pk>/correct/", views.notice_correct, name="notice_correct"),
    path("<int:pk>/allocations/new/", views.allocation_create, name="allocation_create"),
    path("<int:pk>/allocations/<int:table_pk>/", views.allocation_edit, name="allocation_edit"),
    path(
        "<int:pk>/allocations/<int:table_pk>/cells/",
        views.allocation_cells,
        name="allocation_cells",
    ),
    path(
        "<int:pk>/allocations/<int:table_pk>/columns/",
        views.allocation_column_add,
        name="allocation_column_add",
    ),
    path(
        "<int:pk>/allocations/<int:table_pk>/rows/",
        views.allocation_row_add,
        name="allocation_row_add",
    ),
    path(
        "<int:pk>/allocations/<int:table_pk>/settings/",
        views.allocation_settings,
        name="allocation_settings",
    ),
    path(
        "<int:pk>/allocations/<int:table_pk>/delete/",
        views.allocation_delete,
        name="allocation_delete",
    ),
    path(
        "<int:pk>/allocations/<int:table_pk>/<str:part>/<int:part_pk>/delete/",
        views.allocation_part_delete,
        name="allocation_part_delete",
    ),
]
