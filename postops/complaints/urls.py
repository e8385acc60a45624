from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.complaint_new, name="new"),
    path("incidents/", views.incident_list, name="incidents"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/investigate/", views.complaint_investigate, name="investigate"),
    path("<int:pk>/answer/", views.complaint_answer, name="answer"),
    path("<int:pk>/compensation/", views.complaint_compensation, name="compensation"),
    path("<int:pk>/pay/", views.complaint_pay, name="pay"),
    path("<int:pk>/close/", views.complaint_close, name="close"),
]
