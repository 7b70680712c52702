from django.shortcuts import render

from responses.models import Review
from responses.roles import practice_for


def inbox(request):
    practice = practice_for(request.user)
    reviews = Review.objects.filter(location__practice=practice).select_related("location")[:50]
    return render(request, "responses/inbox.html", {"reviews": reviews})
