from django.urls import path

from perfgoals import home, lists

urlpatterns = [
    path("", home.home, name="home"),
    path("tables/", lists.table_list, name="table_list"),
]
