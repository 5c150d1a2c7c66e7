"""Template filters for forms."""

from django import template

register = template.Library()


@register.filter
def filter_field(field):
    """One field of a list's filter form: label, widget, errors and help, with the markup
    of crispy-forms' bootstrap5 pack, but rendered by the Jinja2 form renderer in one
    template (``ais/core/jinja2/forms/filter_field.html``). Filter forms have up to ten
    fields and sit on the most requested pages: crispy's nested Django templates cost
    about 1 ms a field there (docs/performance.md)."""
    return field.render("forms/filter_field.html")
