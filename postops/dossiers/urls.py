from django.urls import path

from . import views

app_name = "dossiers"
urlpatterns = [
    path("procedures/", views.procedure_list, name="procedure_list"),
    path("procedures/import/", views.procedure_import, name="procedure_import"),
    path("procedures/<int:pk>/", views.procedure_detail, name="procedure_detail"),
    path("procedures/<int:pk>/guidance.pdf", views.guidance_sheet, name="guidance_sheet"),
    path("intake/", views.intake_start, name="intake_start"),
    path("intake/<int:pk>/", views.intake, name="intake"),
    path("<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("<int:pk>/phieu-gui.pdf", views.dossier_receipt, name="dossier_receipt"),
]
