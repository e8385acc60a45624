from django.urls import path, register_converter

from . import bag_views, views, webhook_views


class NumberConverter:
    """An S10 number in a path: 13 letters and digits (checked by the selectors)."""

    regex = "[A-Za-z]{2}[0-9]{9}[A-Za-z]{2}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


register_converter(NumberConverter, "s10")

app_name = "items"
urlpatterns = [
    path("accept/", views.accept, name="accept"),
    path("accept/quote", views.accept_quote, name="accept_quote"),
    path("accept/senders", views.sender_lookup, name="sender_lookup"),
    path("legacy-communes/search", views.legacy_commune_search, name="legacy_commune_search"),
    path("bags/", bag_views.bag_list, name="bag_list"),
    path("bags/scan", bag_views.bag_scan, name="bag_scan"),
    path("bags/new/", bag_views.bag_close, name="bag_close"),
    path("bags/<str:code>/", bag_views.bag_detail, name="bag_detail"),
    path("bags/<str:code>/receive", bag_views.bag_receive, name="bag_receive"),
    path("bags/<str:code>/label.pdf", bag_views.bag_label, name="bag_label"),
    path("webhooks/", webhook_views.webhook_page, name="webhooks"),
    path("webhooks/<int:key_id>/", webhook_views.webhook_save, name="webhook_save"),
    path("webhooks/<int:key_id>/rotate", webhook_views.webhook_rotate, name="webhook_rotate"),
    path("webhooks/<int:key_id>/ping", webhook_views.webhook_ping, name="webhook_ping"),
    path("<s10:number>/", views.item_detail, name="detail"),
    path("<s10:number>/label.pdf", views.item_label, name="label"),
    path("<s10:number>/receipt.pdf", views.item_receipt, name="receipt"),
]
