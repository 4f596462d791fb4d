"""Links from one admin list down to the next level of the hierarchy."""

from django.urls import reverse
from django.utils.html import format_html


def children_link(model_label: str, filter_field: str, obj_id: int, label: str, count=None):
    url = reverse(f"admin:{model_label.replace('.', '_')}_changelist")
    text = f"{label}（{count}）" if count is not None else label
    return format_html('<a href="{}?{}={}">{}</a>', url, filter_field, obj_id, text)
