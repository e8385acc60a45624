from django.urls import path

from . import views

app_name = "payouts"
urlpatterns = [
    path("", views.teller_search, name="teller"),
    path("lines/<int:pk>/", views.line_pay, name="line_pay"),
    path("receipts/<int:pk>/", views.payout_receipt, name="receipt"),
    path("receipts/<int:pk>/reverse/", views.payout_reverse, name="reverse"),
]
