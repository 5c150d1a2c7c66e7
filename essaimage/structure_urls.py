"""URL patterns of the essaimage's structure pages (merged in essaimage/urls.py)."""

urlpatterns: list = []
