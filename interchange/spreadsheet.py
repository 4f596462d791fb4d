"""Spreadsheet safety shared by every export: text must never become a formula.

Our own workbook writes such text as a text cell (``looks_like_formula`` decides which);
django-import-export's files go through tablib, which cannot mark a cell as text, so there
the text gets the apostrophe Excel itself uses for "show as typed", removed again on import.
Numbers are left numeric, and so is the text of a plain negative number such as "-5".

A cell is dangerous when it starts with =, +, -, @ (a formula in Excel, LibreOffice and
Google Sheets) or with a tab or a carriage return (spreadsheet programs strip those while
reading a CSV file, so "\\t=cmd" arrives as a formula).
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NEGATIVE_NUMBER = re.compile(r"-\d+(\.\d+)?")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _quoted(value) -> bool:
    """Apostrophes followed by a dangerous start: what ``escape_formula`` produces."""
    return (
        isinstance(value, str) and value.startswith("'") and looks_like_formula(value.lstrip("'"))
    )


def escape_formula(value):
    """Prefix an apostrophe to dangerous text, and to text that already looks escaped, so
    ``unescape_formula(escape_formula(v)) == v`` for every value."""
    if not isinstance(value, str):
        return value
    if looks_like_formula(value) and not _NEGATIVE_NUMBER.fullmatch(value):
        return "'" + value
    if _quoted(value):
        return "'" + value
    return value


def unescape_formula(value):
    if _quoted(value):
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
    filtering (LIBRARIES.md), so the resource itself finds only the rows the importing user
    may see and puts every row it would save or delete to the policy, as stored and as it
    would be saved; a refused row is an error of that row."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def get_queryset(self):
        from strategy import policy

        qs = super().get_queryset()
        if self.user is None:
            return qs
        return qs.filter(policy.visible_q(self.user, qs.model))

    def before_save_instance(self, instance, row, **kwargs):
        from strategy import policy

        super().before_save_instance(instance, row, **kwargs)
        if self.user is not None:
            reason = policy.write_refusal(self.user, instance)
            if reason:
                raise ValueError(f"この行は取り込めません: {reason}")

    def before_delete_instance(self, instance, row, **kwargs):
        from strategy import policy

        super().before_delete_instance(instance, row, **kwargs)
        if self.user is not None:
            reason = policy.write_refusal(self.user, instance, delete=True)
            if reason:
                raise ValueError(f"この行は削除できません: {reason}")


class UserScopedAdminMixin:
    """Hands request.user to the resources for import and export."""

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}
