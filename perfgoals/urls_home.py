from django.urls import path

from perfgoals import home
from perfgoals.targets import lists

urlpatterns = [
    path("", home.home, name="home"),
    path("tables/", lists.table_list, name="table_list"),
]
