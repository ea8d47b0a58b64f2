from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "motcua.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from motcua.documents import checks  # noqa: F401  (registers the system checks)
