from django.urls import path

from responses.compliance import views

urlpatterns = [
    path("compliance", views.compliance_page, name="compliance"),
    path("compliance/export", views.compliance_export_download, name="compliance_export"),
    path("compliance/scan", views.guard_scan_start, name="guard_scan_start"),
    path("compliance/incidents/<int:pk>", views.incident_detail, name="incident_detail"),
    path("compliance/incidents/<int:pk>/take-down", views.incident_take_down, name="incident_take_down"),
    path("compliance/incidents/<int:pk>/replace", views.incident_replace, name="incident_replace"),
    path("compliance/incidents/<int:pk>/assess", views.incident_assess, name="incident_assess"),
    path("compliance/incidents/<int:pk>/decide", views.incident_decide, name="incident_decide"),
    path("compliance/incidents/<int:pk>/close", views.incident_close, name="incident_close"),
    path("reviews/<int:pk>/incident", views.incident_raise, name="incident_raise"),
    path("reviews/<int:pk>/follow-up", views.follow_up_start, name="follow_up_start"),
    path("reviews/<int:pk>/follow-up/attempt", views.follow_up_attempt, name="follow_up_attempt"),
    path("reviews/<int:pk>/fake", views.fake_review_mark, name="fake_review_mark"),
    path("reviews/<int:pk>/fake/status", views.fake_review_status, name="fake_review_status"),
    path("reviews/<int:pk>/reply/pull-back", views.publish_pull_back, name="publish_pull_back"),
]
