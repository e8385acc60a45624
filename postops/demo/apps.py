from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "postops.demo"
    label = "demo"
    verbose_name = "Demo"
