from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data (`manage.py seed_demo`): the one app that may import every other one,
    and that none imports."""

    name = "demo"
