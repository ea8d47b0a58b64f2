from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "motcua.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        from motcua.monitoring import listeners

        listeners.connect()
