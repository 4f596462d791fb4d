from django import forms
from django.db import transaction
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME

from kpis.models import Indicator, IndicatorValue
from kpis.services import (
    BAD_VERSION,
    MALFORMED,
    MISSING,
    NO_VERSION,
    indicator_values_check,
    lock_for_write,
    parse_version,
    saved_by,
)
from kpis.values import InvalidValue, format_value, parse_value
from strategy import fiscal


def _cell_widget(label: str) -> forms.TextInput:
    # The grid shows the year and 予定/実績 as headers; the input carries them as its name.
    return forms.TextInput(attrs={"size": 8, "class": "value-cell", "aria-label": label})


class IndicatorForm(forms.ModelForm):
    """Indicator with its yearly values as one grid: years as columns, 予定 and 実績 rows."""

    class Meta:
        model = Indicator
        fields = [
            "kind",
            "challenge",
            "project",
            "name",
            "unit",
            "direction",
            "position",
            "formula",
            "baseline_year",
            "baseline_value",
            "target_year",
            "target_value",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.years: list[int] = []
        instance = self.instance
        if instance.pk and (instance.challenge_id or instance.project_id):
            self.years = instance.plan.value_years
            existing = instance.values_by_year()
            for year in self.years:
                value = existing.get(year)
                self.fields[f"version_{year}"] = forms.CharField(
                    required=False,
                    initial=str(value.version) if value else "0",
                    widget=forms.HiddenInput,
                )
                for column, label in (("planned", "予定"), ("actual", "実績")):
                    initial = (
                        format_value(
                            getattr(value, f"{column}_number"), getattr(value, f"{column}_mark")
                        )
                        if value
                        else ""
                    )
                    self.fields[f"{column}_{year}"] = forms.CharField(
                        label=f"{fiscal.short_label(year)} {label}",
                        required=False,
                        initial=initial,
                        widget=_cell_widget(f"{fiscal.short_label(year)} {label}"),
                    )

    def grid(self):
        """Rows for the template: [(label, [bound field per year])]."""
        return [
            (label, [self[f"{column}_{year}"] for year in self.years])
            for column, label in (("planned", "予定"), ("actual", "実績"))
        ]

    def version_fields(self):
        return [self[f"version_{year}"] for year in self.years]

    @property
    def value_versions(self) -> dict[int, str]:
        """The version of each year's row when the form was loaded, as posted.

        Always a dict (a form save): a year missing from it may only create a row that does
        not exist yet; changing an existing row without its version is refused.
        """
        return {
            y: self.data[self.add_prefix(f"version_{y}")]
            for y in self.years
            if self.add_prefix(f"version_{y}") in self.data
        }

    def year_labels(self):
        return [fiscal.short_label(y) for y in self.years]

    def clean(self):
        cleaned = super().clean()
        self.value_cells = {}
        for year in self.years:
            for column in ("planned", "actual"):
                name = f"{column}_{year}"
                if self.add_prefix(name) not in self.data:
                    # Not on the page that posted (e.g. the history revert form): leave the
                    # stored value alone rather than read the missing cell as 「空欄」.
                    continue
                try:
                    cell = parse_value(cleaned.get(name))
                except InvalidValue as exc:
                    self.add_error(name, str(exc))
                    continue
                self.value_cells.setdefault(year, {})[column] = cell
        if self.years and not self.errors and self.instance.pk:
            for error in indicator_values_check(
                indicator=self.instance,
                cells=self.value_cells,
                user=getattr(self, "user", None),
                versions=self.value_versions,
            ):
                self.add_error(None, error.message)
        return cleaned


class IndicatorValueAdminForm(forms.ModelForm):
    """One year's value in the admin (admin:kpis_indicatorvalue_change), with the same
    optimistic lock as the grid and the actuals screen: the form carries the version it was
    loaded with, and saving is refused when the row's version has changed since, or when a
    change comes without a version.

    In the admin's change view (one transaction) clean() reads the version under the write
    lock — FOR UPDATE on PostgreSQL, the IMMEDIATE transaction on SQLite — so it cannot
    change between the check and the save.
    """

    seen_version = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = IndicatorValue
        fields = [
            "indicator",
            "fiscal_year",
            "planned_number",
            "planned_mark",
            "actual_number",
            "actual_mark",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            version = self.instance.version
            if hasattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME):
                # simple-history's revert form shows the row as it was: the lock is on the
                # version stored now, which the revert will overwrite.
                version = (
                    IndicatorValue.objects.filter(pk=self.instance.pk)
                    .values_list("version", flat=True)
                    .first()
                )
            self.fields["seen_version"].initial = "" if version is None else str(version)
            self.initial["seen_version"] = self.fields["seen_version"].initial

    def clean(self):
        cleaned = super().clean()
        indicator = cleaned.get("indicator")
        # Same lock order as the services: the indicator(s) first, then the value row.
        ids = {self.instance.indicator_id} if self.instance.pk else set()
        if indicator is not None:
            ids.add(indicator.pk)
        lock_for_write(sorted(i for i in ids if i is not None))
        if not self.instance.pk:
            return cleaned  # a new row: the unique (indicator, year) check refuses a duplicate
        seen = parse_version(self.data.get(self.add_prefix("seen_version")))
        if seen is MISSING:
            raise forms.ValidationError(NO_VERSION, code="no_version")
        if seen is MALFORMED:
            raise forms.ValidationError(BAD_VERSION, code="bad_version")
        rows = IndicatorValue.objects.filter(pk=self.instance.pk)
        if not transaction.get_autocommit():
            rows = rows.select_for_update()
        current = rows.first()
        if current is None:
            raise forms.ValidationError(
                "この値は他の人が削除しました。一覧から開き直してください", code="deleted"
            )
        if current.version != seen:
            raise forms.ValidationError(
                "他の人が先に保存しました。現在の値は予定「%(planned)s」、実績「%(actual)s」"
                "です%(who)s。画面を読み込み直してから入力し直してください",
                code="stale",
                params={
                    "planned": current.planned or "（空欄）",
                    "actual": current.actual or "（空欄）",
                    "who": saved_by(current),
                },
            )
        # The save bumps the version read under the lock, not the one loaded earlier (or, in
        # a revert, the old version of the history row).
        self.instance.version = current.version
        return cleaned
