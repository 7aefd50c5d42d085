from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "绩效指标"

    def ready(self):
        from indicators.models import FrameworkCategory
        from indicators.selectors import forget_framework_index

        for signal in (post_save, post_delete):
            signal.connect(
                forget_framework_index,
                sender=FrameworkCategory,
                dispatch_uid=f"forget_framework_index_{signal is post_save}",
            )
