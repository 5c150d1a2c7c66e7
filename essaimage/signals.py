"""The hooks other apps hang on the spreading of a structure.

``start_date_changed`` is sent (after commit) whenever a structure's start date of
spreading is set, changed or cleared; the evaluation app schedules the 3, 9 and 18
month questionnaires from it. ``structure_withdrawn`` is sent when a structure
withdraws, so that its pending questionnaires can be cancelled.

Receivers get ``structure_id`` (int), ``previous`` and ``start_date`` (dates or
None), ``by_id``; they fetch what they need themselves.
"""

from django.dispatch import Signal

start_date_changed = Signal()
structure_withdrawn = Signal()
