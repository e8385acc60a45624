from django.urls import path

from . import views

app_name = "delivery"
urlpatterns = [
    path("", views.postman_app, name="app"),
    path("sync/", views.sync, name="sync"),
    path("sw.js", views.service_worker, name="sw"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("run-sheets/<int:pk>/submit/", views.handover_submit, name="handover_submit"),
    path("office/", views.office, name="office"),
    path("office/<int:office_pk>/assign/", views.assign, name="assign"),
    path(
        "office/<int:office_pk>/routes/<int:pk>/assign/",
        views.assign_route,
        name="assign_route",
    ),
    path("run-sheets/<int:pk>/", views.run_sheet, name="run_sheet"),
    path("attempts/<int:pk>/<str:kind>/", views.proof, name="proof"),
    path("home-payouts/", views.home_payouts, name="home_payouts"),
    path("home-payouts/mine/", views.home_payouts_mine, name="home_payouts_mine"),
    path("home-payouts/sync/", views.home_payouts_sync, name="home_payouts_sync"),
]
