from django.urls import path

from perfgoals.targets.editor import pages as views

app_name = "tables"

urlpatterns = [
    path("<int:pk>/", views.table_detail, name="detail"),
    path("<int:pk>/edit/", views.table_edit, name="edit"),
    path("<int:pk>/lint/", views.table_lint, name="lint"),
    path("<int:pk>/tree/", views.table_tree, name="tree"),
]
