from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("inscription/", views.signup, name="signup"),
    path("inscription/envoye/", views.signup_sent, name="signup_sent"),
    path("activer/nouveau-lien/", views.resend_activation, name="resend_activation"),
    path("activer/<str:token>/", views.activate, name="activate"),
    path("debloquer/<str:token>/", views.unlock, name="unlock"),
    path("invitation/nouveau-lien/", views.invitation_renew, name="invitation_renew"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("profil/", views.profile, name="profile"),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe/oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/oublie/envoye/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("mot-de-passe/nouveau/termine/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("double-authentification/", views.two_factor_setup, name="two_factor_setup"),
    path("double-authentification/code/", views.two_factor_verify, name="two_factor_verify"),
    path("double-authentification/codes-de-secours/", views.recovery_codes, name="recovery_codes"),
    path("mes-donnees/", views.my_data, name="my_data"),
    path("mes-donnees/telecharger/", views.my_data_download, name="my_data_download"),
]
