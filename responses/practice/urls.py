from django.urls import path

from responses.practice import views

urlpatterns = [
    path("practice", views.practice_admin, name="practice_admin"),
    path("practice/profile", views.practice_profile_save, name="practice_profile_save"),
    path("practice/settings", views.practice_settings_save, name="practice_settings_save"),
    path("practice/locations/new", views.location_edit, name="location_new"),
    path("practice/locations/<int:pk>", views.location_edit, name="location_edit"),
    path("practice/locations/<int:pk>/remove", views.location_remove, name="location_remove"),
    path("practice/contacts/add", views.public_contact_add, name="public_contact_add"),
    path("practice/contacts/<int:pk>/remove", views.public_contact_remove, name="public_contact_remove"),
    path("practice/staff/add", views.staff_member_add, name="staff_member_add"),
    path("practice/staff/<int:pk>/remove", views.staff_member_remove, name="staff_member_remove"),
    path("team", views.team, name="team"),
    path("team/invite", views.member_invite, name="member_invite"),
    path("team/invitations/<int:pk>/withdraw", views.invitation_revoke, name="invitation_revoke"),
    path("team/<int:user_id>/role", views.member_role, name="member_role"),
    path("team/<int:user_id>/active", views.member_active, name="member_active"),
    path("invitations/<str:token>", views.invitation_accept, name="invitation_accept"),
    path("account/password", views.password_change, name="password_change"),
]
