from django.urls import path

from . import people_views

app_name = "people"

urlpatterns = [
    path("", people_views.people_list, name="list"),
    path("inviter/", people_views.invite, name="invite"),
    path("<int:pk>/", people_views.person_detail, name="detail"),
    path("<int:pk>/roles/<int:membership_pk>/retirer/", people_views.role_remove, name="role_remove"),
    path("<int:pk>/desactiver/", people_views.deactivate, name="deactivate"),
    path("<int:pk>/reactiver/", people_views.reactivate, name="reactivate"),
    path("<int:pk>/renvoyer-invitation/", people_views.resend_invitation, name="resend_invitation"),
]
