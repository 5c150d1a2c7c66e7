"""Root URLconf. Every pattern here must appear in tests/access_matrix.py."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

admin.site.site_header = _("AIS#Emploi – technical administration")
admin.site.site_title = "AIS#Emploi"

urlpatterns = [
    path("", include("ais.core.urls")),
    path("", include("portal.urls")),
    path("compte/", include("ais.accounts.urls")),
    path("territoires/", include("ais.territories.urls")),
    path("administration/courriels/", include("ais.outbox.urls")),
    path("administration/personnes/", include("ais.accounts.people_urls")),
    path("", include("ais.health.urls")),
    path("", include("projects.urls")),
    path("", include("essaimage.urls")),
    path("", include("evaluation.urls")),
    path("", include("reporting.urls")),
    path("", include("events.urls")),
    path("", include("archive.urls")),
    path("langue/", login_not_required(set_language), name="set_language"),
    path("django-admin/", admin.site.urls),
]

handler403 = "ais.core.views.permission_denied"
handler404 = "ais.core.views.page_not_found"
handler500 = "ais.core.views.server_error"
