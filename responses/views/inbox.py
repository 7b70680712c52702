from __future__ import annotations

from django.core.paginator import Paginator
from django.utils import timezone
from django.views.decorators.http import require_GET

from responses.compliance.followups import follow_up_list_overdue
from responses.forms import InboxFilterForm
from responses.practice.local_time import location_zones
from responses.practice.selectors import practice_settings_for
from responses.roles import practice_for
from responses.selectors import inbox_row, review_list_for_inbox
from responses.views.access import render_region

PAGE_SIZE = 25


@require_GET
def inbox(request):
    practice = practice_for(request.user)
    form = InboxFilterForm(request.GET or None, practice=practice)
    reviews = review_list_for_inbox(practice=practice, filters=form.filters())
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    desk = practice_settings_for(practice)
    zones = location_zones(practice)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [inbox_row(review, now=now, target_days=desk.response_target_days, zone=zones[review.location_id])
                 for review in page.object_list],
        "query": query.urlencode(),
        "target_days": desk.response_target_days,
        "overdue_follow_ups": follow_up_list_overdue(practice=practice),
    }
    return render_region(request, "responses/inbox.html", "results", context)
