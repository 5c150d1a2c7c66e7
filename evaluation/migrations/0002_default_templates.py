from django.db import migrations
from django.utils import timezone


def create(apps, schema_editor):
    from evaluation.defaults import create_default_templates

    create_default_templates(
        apps.get_model("evaluation", "QuestionnaireTemplate"),
        apps.get_model("evaluation", "TemplateVersion"),
        apps.get_model("evaluation", "Section"),
        apps.get_model("evaluation", "Question"),
        apps.get_model("evaluation", "ConsistencyRule"),
        published_at=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_questionnaires")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
