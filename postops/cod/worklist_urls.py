from django.urls import path

from . import worklist_views

app_name = "worklists"
urlpatterns = [
    path("", worklist_views.worklist_index, name="index"),
    path("<slug:kind>/", worklist_views.worklist, name="list"),
]
