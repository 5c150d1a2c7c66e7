"""URL patterns of the essaimage's map pages (merged in essaimage/urls.py)."""

urlpatterns: list = []
