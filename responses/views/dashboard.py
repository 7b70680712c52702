from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from responses.compliance.followups import follow_up_numbers
from responses.compliance.incidents import incident_list_open
from responses.roles import practice_for
from responses.selectors import dashboard_numbers
from responses.views.charts import bar_chart, rating_trend_chart


@require_GET
def dashboard(request):
    practice = practice_for(request.user)
    numbers = dashboard_numbers(practice=practice)
    return render(request, "responses/dashboard.html", {
        "numbers": numbers,
        "open_chart": bar_chart([(label, count) for _, label, count in numbers.open_by_status]),
        "topics_chart": bar_chart(numbers.negative_topics),
        "trend_chart": rating_trend_chart(numbers.rating_trend),
        "open_total": sum(count for *_, count in numbers.open_by_status),
        "open_incidents": incident_list_open(practice=practice),
        "follow_ups": follow_up_numbers(practice=practice),
    })
