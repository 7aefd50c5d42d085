from django.apps import AppConfig


class PerfgoalsConfig(AppConfig):
    name = "perfgoals"
    verbose_name = "绩效目标"

    def ready(self) -> None:
        # Registers the receivers: the idle clock starts at login; the audit log listens to
        # the auth and history signals.
        from perfgoals import audit, security  # noqa: F401
