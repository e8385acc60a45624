from django.urls import path

from . import return_views, views, worklist_views

app_name = "dossiers"
urlpatterns = [
    path("procedures/", views.procedure_list, name="procedure_list"),
    path("procedures/import/", views.procedure_import, name="procedure_import"),
    path("procedures/<int:pk>/", views.procedure_detail, name="procedure_detail"),
    path("procedures/<int:pk>/guidance.pdf", views.guidance_sheet, name="guidance_sheet"),
    path("intake/", views.intake_start, name="intake_start"),
    path("intake/<int:pk>/", views.intake, name="intake"),
    path("handovers/", views.handover_list, name="handover_list"),
    path("handovers/new/", views.handover_create, name="handover_create"),
    path("handovers/<int:pk>/", views.handover_detail, name="handover_detail"),
    path("handovers/<int:pk>/bien-ban.pdf", views.handover_pdf, name="handover_pdf"),
    path("agency/", views.agency_inbox, name="agency_inbox"),
    path("results/collect/", return_views.collection_start, name="collection_start"),
    path(
        "results/collections/<int:pk>/",
        return_views.collection_detail,
        name="collection_detail",
    ),
    path(
        "results/collections/<int:pk>/bien-ban.pdf",
        return_views.collection_pdf,
        name="collection_pdf",
    ),
    path("results/take-back/", return_views.take_back_list, name="take_back_list"),
    path(
        "results/returns/<int:pk>/",
        return_views.result_return_detail,
        name="result_return_detail",
    ),
    path(
        "results/returns/<int:pk>/bien-ban.pdf",
        return_views.result_return_pdf,
        name="result_return_pdf",
    ),
    path("worklists/", worklist_views.worklist_index, name="worklist_index"),
    path("worklists/<slug:cause>/", worklist_views.worklist, name="worklist"),
    path(
        "worklists/<slug:cause>/export.<str:fmt>",
        worklist_views.worklist_export,
        name="worklist_export",
    ),
    path("<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("<int:pk>/phieu-gui.pdf", views.dossier_receipt, name="dossier_receipt"),
    path("<int:pk>/result-ready/", views.dossier_result_ready, name="dossier_result_ready"),
]
