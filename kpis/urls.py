from django.urls import path

from kpis import views

app_name = "kpis"

urlpatterns = [
    path("", views.actuals_entry, name="actuals-entry"),
    path(
        "<slug:slug>/<int:year>/confirm/",
        views.year_confirmation,
        {"action": "confirm"},
        name="year-confirm",
    ),
    path(
        "<slug:slug>/<int:year>/reopen/",
        views.year_confirmation,
        {"action": "reopen"},
        name="year-reopen",
    ),
]
