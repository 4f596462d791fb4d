from django import forms

from kpis.models import Indicator
from kpis.values import InvalidValue, format_value, parse_value
from strategy import fiscal

_CELL_WIDGET = forms.TextInput(attrs={"size": 8, "class": "value-cell"})


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
                        widget=_CELL_WIDGET,
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
        """The version of each year's row when the form was loaded (absent: not checked)."""
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
                try:
                    cell = parse_value(cleaned.get(name))
                except InvalidValue as exc:
                    self.add_error(name, str(exc))
                    continue
                self.value_cells.setdefault(year, {})[column] = cell
        if self.years and not self.errors and self.instance.pk:
            from kpis.services import indicator_values_check

            for error in indicator_values_check(
                indicator=self.instance,
                cells=self.value_cells,
                user=getattr(self, "user", None),
                versions=self.value_versions,
            ):
                self.add_error(None, error.message)
        return cleaned
