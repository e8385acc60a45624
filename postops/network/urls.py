from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("offices/", views.office_list, name="office_list"),
    path("offices/new/", views.office_create, name="office_create"),
    path("offices/<int:pk>/", views.office_detail, name="office_detail"),
    path("offices/<int:pk>/edit/", views.office_edit, name="office_edit"),
    path(
        "offices/<int:pk>/deactivate/",
        views.office_set_active,
        {"active": False},
        name="office_deactivate",
    ),
    path(
        "offices/<int:pk>/reactivate/",
        views.office_set_active,
        {"active": True},
        name="office_reactivate",
    ),
    path("communes/search", views.commune_search, name="commune_search"),
]
