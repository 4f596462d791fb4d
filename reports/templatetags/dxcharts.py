"""``{% chart %}``: a chart as a figure with its caption and its values as a table.

Whether the page is printed (static charts sized for paper) is decided here from the
template context's ``print_mode``, not passed down through the data layer.
"""

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def chart(context, chart, name: str, key="", height: int | None = None):
    """Render a ``reports.charts.Chart`` as element ``chart-<name>[-<key>]``; an empty one
    prints its sentence instead of drawing empty axes."""
    div_id = f"chart-{name}-{key}" if key != "" else f"chart-{name}"
    print_mode = bool(context.get("print_mode"))
    if print_mode and height:
        # Sized for paper: three KPI cards and their charts fit one A4 landscape sheet.
        height = max(115, int(height * 0.5))
    return render_to_string(
        "reports/_chart.html",
        {
            "chart": chart,
            "div_id": div_id,
            "height": height or chart.height,
            "payload": "" if chart.is_empty else chart.to_json(static=print_mode, height=height),
            "print_mode": print_mode,
        },
    )
