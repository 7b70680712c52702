from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from responses.compliance.followups import follow_up_numbers
from responses.compliance.incidents import incident_list_open
from responses.forms import DashboardFilterForm
from responses.roles import practice_for
from responses.selectors import dashboard_numbers
from responses.templatetags.desk import hours_as_duration
from responses.views.charts import bar_chart, rating_trend_chart


@require_GET
def dashboard(request):
    practice = practice_for(request.user)
    form = DashboardFilterForm(request.GET or None, practice=practice)
    numbers = dashboard_numbers(practice=practice, filters=form.filters())
    response_months = [(point.month.strftime("%b %Y"), round(point.median_response_hours or 0, 1),
                        hours_as_duration(point.median_response_hours))
                       for point in numbers.rating_trend]
    return render(request, "responses/dashboard.html", {
        "form": form,
        "numbers": numbers,
        "open_chart": bar_chart([(label, count) for _, label, count in numbers.open_by_status]),
        "topics_chart": bar_chart(numbers.negative_topics),
        "trend_chart": rating_trend_chart(numbers.rating_trend),
        "response_chart": bar_chart(response_months, unit=" h"),
        "open_total": sum(count for *_, count in numbers.open_by_status),
        "open_incidents": incident_list_open(practice=practice),
        "follow_ups": follow_up_numbers(practice=practice),
        "in_target_percent": None if numbers.negative_in_target_share is None
        else round(100 * numbers.negative_in_target_share),
    })
