from axes import apps as axes_apps
from django.apps import AppConfig
from django_otp.plugins.otp_totp import apps as totp_apps
from django_tasks_db.apps import TasksAppConfig


class PerfgoalsConfig(AppConfig):
    # The module holds other configs too: this one is the app's own.
    default = True
    name = "perfgoals"
    verbose_name = "绩效目标"

    def ready(self) -> None:
        # Registers the receivers: the idle clock starts at login; the audit log listens to
        # the auth and history signals; the second factor's settings are checked.
        from perfgoals import audit, security  # noqa: F401
        from perfgoals.accounts import checks  # noqa: F401


# The admin's headings for apps that name themselves in English (INSTALLED_APPS uses these).
class AxesConfig(axes_apps.AppConfig):
    verbose_name = "登录保护"


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = "后台任务"

    def ready(self) -> None:
        super().ready()
        # The backend's one model names itself after its class ("Task Result").
        task_result = self.get_model("DBTaskResult")._meta
        task_result.verbose_name = task_result.verbose_name_plural = "后台任务记录"


# django-otp's TOTP devices (perfgoals/accounts/): the app and the model name themselves in
# English. Their fields' labels stay django-otp's: a field's label is part of its migration
# state, so changing it here would make makemigrations write a migration into django-otp.
class TOTPConfig(totp_apps.DefaultConfig):
    verbose_name = "双重认证"

    def ready(self) -> None:
        super().ready()
        meta = self.get_model("TOTPDevice")._meta
        meta.verbose_name = meta.verbose_name_plural = "手机验证器"
