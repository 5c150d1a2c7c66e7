"""URL patterns of the evaluation's manage pages (merged in evaluation/urls.py)."""

urlpatterns: list = []
