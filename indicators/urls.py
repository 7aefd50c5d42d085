from django.urls import path

from perfgoals.targets.editor import rows as views

app_name = "indicators"

urlpatterns = [
    path("tables/<int:table_pk>/rows/new/", views.row_new, name="row_new"),
    path("tables/<int:table_pk>/paste/", views.paste, name="paste"),
    path("tables/<int:table_pk>/library/", views.library, name="library"),
    path("tables/<int:table_pk>/acknowledge/", views.lint_acknowledge, name="lint_acknowledge"),
    path("rows/<int:pk>/edit/", views.row_edit, name="row_edit"),
    path("rows/<int:pk>/move/<str:direction>/", views.row_move, name="row_move"),
    path("rows/<int:pk>/delete/", views.row_delete, name="row_delete"),
    path("rows/<int:pk>/apply/", views.row_apply_suggestion, name="row_apply_suggestion"),
]
