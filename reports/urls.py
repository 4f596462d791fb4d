from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("plans/<slug:slug>/", views.plan_dashboard_view, name="plan-dashboard"),
    path("plans/<slug:slug>/projects/", views.project_table, name="project-table"),
    path("plans/<slug:slug>/overview/", views.plan_overview, name="plan-overview"),
    path("plans/<slug:slug>/report/", views.whole_report, name="report"),
    path("plans/<slug:slug>/report.pdf", views.report_pdf, name="report-pdf"),
    path("plans/<slug:slug>/compare/", views.plan_compare, name="plan-compare"),
    path("plans/<slug:slug>/history/", views.plan_history, name="plan-history"),
    path("plans/<slug:slug>/warnings/", views.plan_warnings_page, name="plan-warnings"),
    path("plans/<slug:slug>/workbook.xlsx", views.plan_export, name="plan-export"),
    path(
        "plans/<slug:slug>/departments/<int:department_id>/",
        views.department_view,
        name="department",
    ),
    path(
        "plans/<slug:slug>/issues/<str:code>/progress/",
        views.issue_page,
        {"page": "progress"},
        name="issue-progress",
    ),
    path(
        "plans/<slug:slug>/issues/<str:code>/goals/",
        views.issue_page,
        {"page": "goals"},
        name="issue-goals",
    ),
    path(
        "plans/<slug:slug>/issues/<str:code>/kpis/",
        views.issue_page,
        {"page": "kpis"},
        name="issue-kpis",
    ),
    # Every layout's issue pages (reports/layouts.py); the three above are Sasebo's names.
    path("plans/<slug:slug>/issues/<str:code>/<slug:page>/", views.issue_page, name="issue-page"),
]
