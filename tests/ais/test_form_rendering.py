"""The form renderer (ais/core/form_renderer.py): Django's template renderer, whose one
override, ``templates/django/forms/widgets/select.html``, must write the same HTML as Django's."""

from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer

from ais.core.form_renderer import FormRenderer


class _DisablingSelect(forms.Select):
    """Options with attributes of every kind: a string, True, False."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].update({"data-code": f"c{value}", "disabled": value == "b", "hidden": False})
        return option


class _SampleForm(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Toutes"), ("1", "Un"), ("2", "Deux & <trois>")])
    grouped = forms.ChoiceField(
        choices=[("Normandie", [("76", "Seine-Maritime"), ("27", "Eure")]), ("Bretagne", [("35", "Ille-et-Vilaine")])]
    )
    several = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B"), ("c", "C")])
    unknown = forms.NullBooleanField()
    odd = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=_DisablingSelect(attrs={"class": "form-select"}))
    radio = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.RadioSelect)


def _render(renderer):
    form = _SampleForm(
        {"plain": "2", "grouped": "27", "several": ["a", "c"], "unknown": "true", "odd": "a", "radio": "y"},
        renderer=renderer,
    )
    return {name: form[name].as_widget() for name in form.fields}


def test_settings_use_the_project_renderer():
    assert isinstance(get_default_renderer(), FormRenderer)


def test_select_override_writes_djangos_html():
    ours, djangos = _render(FormRenderer()), _render(DjangoTemplates())

    assert ours == djangos
    assert '<option value="2" selected>Deux &amp; &lt;trois&gt;</option>' in ours["plain"]
    assert '<optgroup label="Normandie">' in ours["grouped"]
    assert '<option value="b" data-code="cb" disabled>B</option>' in ours["odd"]


def test_renderer_finds_the_apps_widget_templates():
    renderer = FormRenderer()

    for name in ("admin/widgets/related_widget_wrapper.html", "django/forms/widgets/input.html"):
        assert renderer.get_template(name)
    select = renderer.get_template("django/forms/widgets/select.html").origin.name
    assert select == str(settings.BASE_DIR / "templates" / "django" / "forms" / "widgets" / "select.html")
