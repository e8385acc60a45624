from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<int:pk>/retry/", views.message_retry, name="message_retry"),
]
