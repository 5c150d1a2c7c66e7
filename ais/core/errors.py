"""The one exception the domain raises when a rule refuses a change.

Each domain module keeps its own subclass (``DossierError``, ``SpreadingError``,
``EventError``…) so that its callers and tests name what they expect; views catch
``DomainError`` and show ``message`` to the user (``ais.core.forms.form_action`` puts
it on the form: on ``field`` when the rule is about one field, above the form
otherwise). The core knows no domain app: the subclasses live in the apps.
"""


class DomainError(Exception):
    """A rule of the domain refuses the change.

    ``message``: what the user reads (already translated, or lazily translated);
    ``field``: the form field at fault, if the rule is about one (``None``: the form
    as a whole); ``code``: a short word for callers that react to one case
    (``"missing"``, ``"expired"``…), never shown.
    """

    def __init__(self, message="", *, field: str | None = None, code: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def __str__(self) -> str:
        return str(self.message)
