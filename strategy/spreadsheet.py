"""Spreadsheet safety shared by every export: text must never become a formula.

Our own workbook writes such text as a text cell (``looks_like_formula`` decides which);
django-import-export's files go through tablib, which cannot mark a cell as text, so there
the text gets the apostrophe Excel itself uses for "show as typed", removed again on import.
Numbers are left numeric.
"""

FORMULA_STARTS = ("=", "+", "-", "@")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def escape_formula(value):
    return "'" + value if looks_like_formula(value) else value


def unescape_formula(value):
    if isinstance(value, str) and value.startswith("'") and looks_like_formula(value[1:]):
        return value[1:]
    return value


class FormulaSafeResourceMixin:
    """For django-import-export resources: escape on export, unescape on import."""

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row, **kwargs):
        for key in list(row.keys()):
            row[key] = unescape_formula(row[key])
        return super().before_import_row(row, **kwargs)


class UserScopedResourceMixin:
    """django-import-export looks rows up in get_queryset() regardless of the admin's list
    filtering, so the resource itself limits rows to what the importing user may change and
    refuses any other (LIBRARIES.md)."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def scope(self, user):  # -> Q
        raise NotImplementedError

    def get_queryset(self):
        qs = super().get_queryset()
        return qs if self.user is None else qs.filter(self.scope(self.user))

    def before_save_instance(self, instance, row, **kwargs):
        from strategy import roles

        super().before_save_instance(instance, row, **kwargs)
        if self.user is not None and not roles.can_edit(self.user, instance):
            raise ValueError("この行を変更する権限がありません（他の部局のデータです）")


class UserScopedAdminMixin:
    """Hands request.user to the resources for import and export."""

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}
