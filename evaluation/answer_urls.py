"""URL patterns of the evaluation's answer pages (merged in evaluation/urls.py)."""

urlpatterns: list = []
