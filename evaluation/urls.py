"""The evaluation's URLs: answering (structure contacts, e-mailed links) and follow-up (managers)."""

from . import answer_urls, manage_urls

app_name = "evaluation"

urlpatterns = [*answer_urls.urlpatterns, *manage_urls.urlpatterns]
