"""django-rules object permissions (autodiscovered). Model-level permissions come from the
groups the roles migration creates; these decide for one object."""

import rules

from strategy import roles


@rules.predicate
def may_edit(user, obj=None) -> bool:
    if obj is None:  # "may change some of these?" — the lists are filtered per department
        return roles.is_dx_admin(user) or roles.is_editor(user)
    return roles.can_edit(user, obj)


@rules.predicate
def is_dx_admin(user) -> bool:
    return roles.is_dx_admin(user)


for perm in (
    "projects.change_project",
    "projects.delete_project",
    "projects.add_projectphase",
    "projects.change_projectphase",
    "projects.delete_projectphase",
    "kpis.change_indicator",
    "kpis.add_indicatorvalue",
    "kpis.change_indicatorvalue",
    "kpis.delete_indicatorvalue",
    "kpis.add_indicatorevaluation",
    "kpis.change_indicatorevaluation",
    "kpis.delete_indicatorevaluation",
):
    rules.add_perm(perm, may_edit)

rules.add_perm("kpis.confirm_year", is_dx_admin)
