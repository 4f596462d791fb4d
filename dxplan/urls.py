from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "dxplan 管理"
admin.site.site_title = "dxplan 管理"
admin.site.index_title = "DX計画の管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("actuals/", include("kpis.urls")),
    path("", include("reports.urls")),
]
