"""URL patterns of the essaimage's support pages (merged in essaimage/urls.py)."""

urlpatterns: list = []
