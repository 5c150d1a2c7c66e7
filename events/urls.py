"""The events' and resources library's URLs."""

app_name = "events"

urlpatterns: list = []
