"""The admin under the policy, by construction.

``PolicyAdmin`` is the base of every ModelAdmin we register (tests/test_admin_policy.py
fails if one is not): the changelist shows the rows ``policy.visible_q`` allows; add,
change, delete and view answer ``policy.decide`` per row; every form — the change form,
each inline row, django-simple-history's revert form — is judged on the row as stored and
as it would be saved (``policy.write_refusal``) before anything is written, and again at
save time; every action checks each selected row; history views and the import/export
views check the same rules. Third-party admins (users, groups, login attempts) are
re-registered on ``ThirdPartyPolicyAdmin`` so that nothing in the admin escapes the policy.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from strategy import policy


class PolicyFormMixin:
    """Adds the policy's refusal as a form error once the instance carries the new values."""

    policy_user = None
    policy_inline = False

    def _post_clean(self):
        super()._post_clean()
        if self.policy_user is None or self.errors.get("__all__"):
            return
        if getattr(self, "cleaned_data", {}).get("DELETE"):
            return  # judged as a deletion in save_formset
        if self.policy_inline and self.instance.pk is not None and not self.has_changed():
            return  # an untouched inline row is not saved (a revert form always is)
        reason = policy.write_refusal(self.policy_user, self.instance)
        if reason:
            self.add_error(None, reason)


def _with_policy(form_class, user, *, inline: bool = False):
    return type(
        f"Policy{form_class.__name__}",
        (PolicyFormMixin, form_class),
        {"policy_user": user, "policy_inline": inline, "__module__": form_class.__module__},
    )


def _visible_choices(formfield, user):
    """Offer only rows the user may see (a posted id of any other row is then invalid)."""
    queryset = getattr(formfield, "queryset", None)
    if queryset is not None and hasattr(queryset.model, "ownership"):
        formfield.queryset = queryset.filter(policy.visible_q(user, queryset.model))
    return formfield


class _PolicyPermissions:
    def _policy(self, request, action, obj=None) -> bool:
        return policy.allows(request.user, action, self.model if obj is None else obj)

    def has_view_permission(self, request, obj=None):
        return self._policy(request, policy.VIEW, obj)

    def has_add_permission(self, request, *args):
        return self._policy(request, policy.ADD)

    def has_change_permission(self, request, obj=None):
        return self._policy(request, policy.CHANGE, obj)

    def has_delete_permission(self, request, obj=None):
        return self._policy(request, policy.DELETE, obj)


class PolicyInlineMixin(_PolicyPermissions):
    """Inline rows are the inline model's rows: the model's rights, judged per form row.
    ``obj`` handed to an inline's permission methods is the parent, which the parent admin
    has already judged; the inline model's own rights are model-level here."""

    def has_view_permission(self, request, obj=None):
        return self._policy(request, policy.VIEW)

    def has_add_permission(self, request, obj=None):
        return self._policy(request, policy.ADD) and (
            obj is None or policy.allows(request.user, policy.CHANGE, obj)
        )

    def has_change_permission(self, request, obj=None):
        return self._policy(request, policy.CHANGE) and (
            obj is None or policy.allows(request.user, policy.CHANGE, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return self._policy(request, policy.DELETE) and (
            obj is None or policy.allows(request.user, policy.CHANGE, obj)
        )

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _with_policy(formset.form, request.user, inline=True)
        return formset


class PolicyTabularInline(PolicyInlineMixin, admin.TabularInline):
    pass


class PolicyStackedInline(PolicyInlineMixin, admin.StackedInline):
    pass


class PolicyAdminMixin(_PolicyPermissions):
    def has_module_permission(self, request):
        return self._policy(request, policy.VIEW)

    def get_queryset(self, request):
        qs = super().get_queryset(request).filter(policy.visible_q(request.user, self.model))
        if not qs.query.order_by:
            # The model's ordering made explicit: a subclass's annotate(Count(...)) groups
            # the query, and Django then drops Meta.ordering — the autocomplete's pages
            # (which do not order) came back in no stable order.
            qs = qs.order_by(*(self.model._meta.ordering or ["pk"]))
        return qs

    def get_readonly_fields(self, request, obj=None):
        """An editor sees the fields they may not change as text, not as inputs."""
        fields = list(super().get_readonly_fields(request, obj))
        allowed = policy.EDITOR_FIELDS.get(self.model._meta.label_lower)
        if allowed is not None and obj is not None and policy.actor(request.user).is_editor:
            editable = {
                f.name for f in self.model._meta.get_fields() if getattr(f, "editable", False)
            }
            fields += sorted(editable - set(allowed) - set(fields) - {"id"})
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return _visible_choices(
            super().formfield_for_foreignkey(db_field, request, **kwargs), request.user
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return _visible_choices(
            super().formfield_for_manytomany(db_field, request, **kwargs), request.user
        )

    def get_form(self, request, obj=None, **kwargs):
        return _with_policy(super().get_form(request, obj, **kwargs), request.user)

    def save_model(self, request, obj, form, change):
        policy.require_write(request.user, obj)  # the form said so; the save checks again
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        policy.require_write(request.user, obj, delete=True)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            policy.require_write(request.user, obj, delete=True)
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        deleted = [f for f in getattr(formset, "deleted_forms", []) if f.instance.pk is not None]
        for row in deleted:
            policy.require_write(request.user, row.instance, delete=True)
        for row in formset.forms:
            if row not in deleted and row.has_changed():
                policy.require_write(request.user, row.instance)
        super().save_formset(request, form, formset, change)

    # --- actions: each selected row is judged for each permission the action names -----
    def get_actions(self, request):
        actions = super().get_actions(request)
        return {
            name: (self._guarded(func), name, description)
            for name, (func, name, description) in actions.items()
        }

    def _guarded(self, func):
        needs = getattr(func, "allowed_permissions", None) or (policy.CHANGE,)

        def guarded(modeladmin, request, queryset):
            for obj in queryset:
                for action in needs:
                    reason = policy.decide(request.user, action, obj)
                    if reason:
                        raise PermissionDenied(f"{obj}: {reason}")
            return func(modeladmin, request, queryset)

        guarded.allowed_permissions = needs
        guarded.short_description = getattr(func, "short_description", None)
        return guarded

    def __getattr__(self, name):
        # Django asks has_<perm>_permission(request) for each name in an action's
        # allowed_permissions; plan actions (edition_start …) are answered model-level.
        prefix, suffix = "has_", "_permission"
        if name.startswith(prefix) and name.endswith(suffix):
            action = name[len(prefix) : -len(suffix)]
            if action in policy.PLAN_ACTIONS:
                import rules

                return lambda request, obj=None: rules.has_perm(
                    f"strategy.plan_{action}", request.user, obj
                )
        raise AttributeError(name)

    # --- the plan's own words ------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The form's title names the object's level as its plan does (「基本施策 を変更」
        for Nagasaki, 「DX重点課題 を変更」 for Sasebo), not by the model's generic name."""
        obj = self.get_object(request, unquote(object_id))
        name = plan_level_name(obj) if obj is not None else None
        if name:
            if self.has_change_permission(request, obj):
                title = _("Change %s")
            else:
                title = _("View %s")
            extra_context = {"title": title % name, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    # --- django-simple-history: the history list and the revert form --------------------
    def history_view(self, request, object_id, extra_context=None):
        self._current_or_404(request, object_id, policy.VIEW)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        action = policy.CHANGE if request.method == "POST" else policy.VIEW
        # one transaction, as Django's change form is: a revert commits together with the
        # plan revision it advances (strategy/revision.py)
        with transaction.atomic(using=router.db_for_write(self.model)):
            self._current_or_404(request, object_id, action)
            return super().history_form_view(request, object_id, version_id, extra_context)

    def _current_or_404(self, request, object_id, action):
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404("見つかりません")
        reason = policy.decide(request.user, action, obj)
        if reason:
            raise PermissionDenied(reason)
        return obj

    # --- django-import-export ----------------------------------------------------------
    def has_import_permission(self, request):
        return self._policy(request, policy.ADD) or self._policy(request, policy.CHANGE)

    def has_export_permission(self, request):
        return self._policy(request, policy.VIEW)


def plan_level_name(obj) -> str | None:
    """What ``obj``'s plan calls its level (Plan.label_*), or None for rows that are not a
    level of a plan; a priority issue of another kind is named by its kind (推進課題)."""
    if not hasattr(obj, "plan_level_label"):
        return None
    attr = obj.plan_level_label
    if attr is None:
        return obj.get_kind_display() if hasattr(obj, "get_kind_display") else None
    from strategy.models import Plan

    label = Plan.objects.filter(pk=obj.owner_plan_id).values_list(attr, flat=True).first()
    return label or None


class PolicyAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    """The base of our ModelAdmins: the policy, and every change kept in history."""


class ThirdPartyPolicyAdminMixin(PolicyAdminMixin):
    """For a library's ModelAdmin: the policy *and* the library's own restrictions."""

    def has_view_permission(self, request, obj=None):
        return self._policy(request, policy.VIEW, obj) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._policy(request, policy.ADD) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._policy(request, policy.CHANGE, obj) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return self._policy(request, policy.DELETE, obj) and super().has_delete_permission(
            request, obj
        )


def adopt_registered_admins(site=admin.site) -> None:
    """Re-register every ModelAdmin not built on PolicyAdminMixin (the libraries' own) on a
    subclass that mixes the policy in. Called once the registry is complete."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, PolicyAdminMixin):
            continue
        cls = type(model_admin)
        adopted = type(f"Policy{cls.__name__}", (ThirdPartyPolicyAdminMixin, cls), {})
        site.unregister(model)
        site.register(model, adopted)
