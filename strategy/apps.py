from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = "計画体系"

    def ready(self):
        # The admin's autodiscovery ran in django.contrib.admin's ready(), before ours: every
        # ModelAdmin is registered now, so the libraries' own can be put under the policy.
        from strategy.admin_policy import adopt_registered_admins

        adopt_registered_admins()
