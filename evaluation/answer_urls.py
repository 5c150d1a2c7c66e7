"""URL patterns of the evaluation's answer pages (merged in evaluation/urls.py)."""

from django.urls import path

from . import answer_views as views

urlpatterns: list = [
    path("questionnaires/", views.my_questionnaires, name="my_questionnaires"),
    path("questionnaires/<int:pk>/", views.response_page, name="response"),
    path("questionnaires/<int:pk>/reponses/<int:question_pk>/", views.answer_save, name="answer_save"),
    path("questionnaires/<int:pk>/envoyer/", views.response_submit, name="response_submit"),
    path("questionnaires/acces/<str:token>/", views.link, name="link"),
    path("questionnaires/nouveau-lien/", views.link_request, name="link_request"),
]
