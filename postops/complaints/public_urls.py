from django.urls import path

from . import views

app_name = "complaints_public"

urlpatterns = [
    path("", views.public_form, name="form"),
    path("da-gui/", views.public_thanks, name="thanks"),
    path("tra-cuu/", views.public_lookup, name="lookup"),
    path("<str:code>/", views.public_status, name="status"),
]
