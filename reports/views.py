from django.conf import settings
from django.shortcuts import render

from strategy.models import Plan


def plan_list(request):
    plans = Plan.objects.select_related("municipality")
    if not request.user.is_authenticated:
        plans = plans.published() if getattr(settings, "PUBLIC_PLANS", True) else plans.none()
    return render(request, "reports/plan_list.html", {"plans": plans})
