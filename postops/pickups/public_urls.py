"""Public pages, Vietnamese paths (``/thu-gom/``)."""

from django.urls import path

from . import views

app_name = "pickups_public"
urlpatterns = [
    path("", views.public_request, name="request"),
    path("thu-tuc/", views.public_procedures, name="procedures"),
    path("trang-thai/", views.public_status, name="status"),
]
