from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = "計画体系"

    def ready(self):
        # The admin's autodiscovery ran in django.contrib.admin's ready(), before ours: every
        # ModelAdmin is registered now, so the libraries' own can be put under the policy.
        from strategy.admin_policy import adopt_registered_admins

        adopt_registered_admins()
        from strategy.library_labels import label_libraries  # Japanese names, on the adopted admins

        label_libraries()

        # Every change the plan pages show advances the plan's revision (the page cache key).
        from strategy import revision

        revision.connect()
