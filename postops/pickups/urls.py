from django.urls import path

from . import views

app_name = "pickups"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.staff_new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/fail/", views.fail, name="fail"),
    path("<int:pk>/door/", views.door, name="door"),
    path("<int:pk>/guidance.pdf", views.guidance, name="guidance"),
]
