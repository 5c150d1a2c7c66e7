"""The essaimage's URLs: each area keeps its patterns in its own module."""

from . import map_urls, structure_urls, support_urls, training_urls

app_name = "essaimage"

urlpatterns = [
    *structure_urls.urlpatterns,
    *training_urls.urlpatterns,
    *support_urls.urlpatterns,
    *map_urls.urlpatterns,
]
