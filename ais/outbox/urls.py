from django.urls import path

from . import views

app_name = "outbox"

urlpatterns = [
    path("", views.outbox_list, name="list"),
    path("<int:pk>/", views.outbox_detail, name="detail"),
    path("<int:pk>/renvoyer/", views.outbox_retry, name="retry"),
]
