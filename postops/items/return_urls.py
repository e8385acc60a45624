from django.urls import path

from . import return_views

app_name = "returns"
urlpatterns = [
    path("", return_views.returns_page, name="page"),
    path("<str:number>/return/", return_views.item_return, name="return"),
    path("<str:number>/withdraw/", return_views.item_withdraw, name="withdraw"),
    path("<str:number>/redirect/", return_views.item_redirect, name="redirect"),
    path("<str:number>/counter/", return_views.item_counter_deliver, name="counter"),
]
