from django.urls import path

from . import views

app_name = "dossiers"
urlpatterns = [
    path("procedures/", views.procedure_list, name="procedure_list"),
    path("procedures/import/", views.procedure_import, name="procedure_import"),
    path("procedures/<int:pk>/", views.procedure_detail, name="procedure_detail"),
]
