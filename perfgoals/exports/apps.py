from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "perfgoals.exports"
    label = "exports"
    verbose_name = "导出"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from perfgoals.exports import checks  # noqa: F401  (registers the system checks)
