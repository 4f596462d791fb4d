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
