"""Admin behaviour for rows owned by a department: editors list and change only their own."""

from django.db.models import Q

from strategy import roles


class DepartmentScopedAdmin:
    """Mix into a ModelAdmin; set ``scope`` to the Q builder for the model's rows."""

    #: function(user) -> Q limiting the queryset to what the user may edit
    scope = None

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        user = request.user
        if roles.is_dx_admin(user) or not roles.is_editor(user):
            return qs  # administrators and viewers see everything (viewers read only)
        return qs.filter(self.scope(user) if self.scope else Q(pk__in=[])).distinct()

    def _perm(self, request, action: str, obj) -> bool:
        codename = f"{self.opts.app_label}.{action}_{self.opts.model_name}"
        if obj is None:
            return request.user.has_perm(codename)
        return request.user.has_perm(codename, obj)

    def has_change_permission(self, request, obj=None):
        return self._perm(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._perm(request, "delete", obj)
