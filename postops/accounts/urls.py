from django.urls import path

from . import api_key_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("2fa/", views.otp_verify, name="otp_verify"),
    path("2fa/setup/", views.otp_setup, name="otp_setup"),
    path("api-keys/", api_key_views.api_key_list_view, name="api_key_list"),
    path("api-keys/new/", api_key_views.api_key_create_view, name="api_key_create"),
    path("api-keys/<int:pk>/revoke/", api_key_views.api_key_revoke_view, name="api_key_revoke"),
]
