"""URL patterns of the essaimage's training pages (merged in essaimage/urls.py)."""

urlpatterns: list = []
