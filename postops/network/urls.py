from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("offices/", views.office_list, name="office_list"),
]
