from django.urls import path

from . import views

app_name = "cod"
urlpatterns = [
    path("", views.batch_list, name="batch_list"),
    path("statements/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("statements/<int:pk>/pay/", views.batch_pay, name="batch_pay"),
    path("statements/<int:pk>/reconcile/", views.batch_reconcile, name="batch_reconcile"),
    path("statements/<int:pk>/statement.pdf", views.batch_pdf, name="batch_pdf"),
    path("statements/<int:pk>/statement.xlsx", views.batch_xlsx, name="batch_xlsx"),
    path("senders/", views.sender_list, name="sender_list"),
    path("senders/<int:pk>/", views.sender_detail, name="sender_detail"),
    path("senders/<int:pk>/statements/", views.sender_batch_create, name="sender_batch_create"),
    path("senders/<int:pk>/keys/", views.sender_keys, name="sender_keys"),
]
