"""``user.has_perm`` answered by the policy (autodiscovered by django-rules).

Every model's view/add/change/delete permission and the plan actions are predicates over
strategy/policy.py, so a template's ``perms.kpis.change_indicatorvalue`` or any library that
asks ``has_perm`` gets the same answer as the admin. Group permissions play no part:
dxplan.auth.LoginBackend authenticates without granting any.
"""

import rules
from django.apps import apps

from strategy import policy


def _row_predicate(action: str, model):
    @rules.predicate(name=f"policy_{action}_{model._meta.label_lower}")
    def check(user, obj=None) -> bool:
        return policy.allows(user, action, model if obj is None else obj)

    return check


def _plan_predicate(action: str):
    @rules.predicate(name=f"policy_plan_{action}")
    def check(user, plan=None) -> bool:
        if plan is None:  # "anywhere?" (the menus)
            return policy.anywhere(user, action)
        return policy.allows(user, action, plan)

    return check


for model in apps.get_models():
    for action in policy.ROW_ACTIONS:
        perm = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        rules.set_perm(perm, _row_predicate(action, model))

for action in policy.PLAN_ACTIONS:
    rules.set_perm(f"strategy.plan_{action}", _plan_predicate(action))
