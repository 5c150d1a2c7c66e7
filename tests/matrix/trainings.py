"""Access-matrix entries of the trainings (see tests/matrix/__init__.py).

Managers and administrators run trainings; a carrier follows its innovations'
trainings and prints their attendance sheets; a structure contact follows the
trainings its structures take part in (read-only, no sheet). Someone else's
training is a 404; committee members, who take no part in trainings, get a 403.
"""

import datetime

from ais.accounts.models import Role
from tests.access_matrix import Access, logged_in, only
from tests.essaimage.factories import (
    SpreadStructureFactory,
    TrainingDayFactory,
    TrainingDocumentFactory,
    TrainingFactory,
    TrainingParticipantFactory,
)

STAFF = (Role.MANAGER, Role.ADMIN)
TRAINEE = "Morgane Leroy"
TITLE = "Formation-action Parcours Gardien"


def _training(o, *, innovation=None, structure=None):
    """A training (with a day, a trainee and a document); remembered as ``o.training``."""
    innovation = innovation or o.innovation
    structure = structure or o.structure
    training = TrainingFactory(innovation=innovation, title=TITLE)
    training.structures.add(structure)
    o.training_day = TrainingDayFactory(training=training, date=datetime.date(2025, 3, 10))
    o.participant = TrainingParticipantFactory(training=training, structure=structure, full_name=TRAINEE)
    o.document = TrainingDocumentFactory(training=training)
    o.training = training
    return training


def _own_training(o):
    """The requesting user's own training: of their innovation for a carrier, with their
    structure for a structure contact (the matrix's training for everyone else)."""
    innovation = o.own_innovation()
    if innovation != o.innovation:
        return _training(o, innovation=innovation, structure=SpreadStructureFactory(innovation=innovation))
    return _training(o, structure=o.own_structure())


# Someone else's training; the own variants open it to its carrier and its structures.
OTHERS = {**logged_in(404), Role.COMMITTEE: 403, Role.MANAGER: 200, Role.ADMIN: 200}
OWN = {**OTHERS, Role.CARRIER: 200, Role.STRUCTURE: 200}
SHEET_OTHERS = {**OTHERS, Role.STRUCTURE: 403}
SHEET_OWN = {**SHEET_OTHERS, Role.CARRIER: 200}
BACK_TO_TRAINING = "/suivi/formations/{o.training.pk}/"


def _day(o):
    return {"pk": _training(o) and o.training_day.pk}


def _participant(o):
    return {"pk": _training(o) and o.participant.pk}


def _document(o):
    return {"pk": _training(o) and o.document.pk}


def _own_document(o):
    return {"pk": _own_training(o) and o.document.pk}


MATRIX: dict = {
    "essaimage:training_list": Access(
        lambda o: _training(o) and {}, only(Role.CARRIER, Role.STRUCTURE, *STAFF), 'name="kind"'
    ),
    "essaimage:training_create": Access(lambda o: {"pk": o.innovation.pk}, only(*STAFF), 'name="structures"'),
    "essaimage:training_edit": Access(lambda o: {"pk": _training(o).pk}, only(*STAFF), f'value="{TITLE}"'),
    "essaimage:training_detail": Access(lambda o: {"pk": _training(o).pk}, OTHERS, TRAINEE),
    "essaimage:training_detail [own]": Access(lambda o: {"pk": _own_training(o).pk}, OWN, TRAINEE),
    "essaimage:training_day_add": Access(lambda o: {"pk": _training(o).pk}, logged_in(405)),  # require_POST
    "essaimage:training_day_delete": Access(_day, logged_in(405)),  # require_POST
    "essaimage:attendance": Access(_day, only(*STAFF), 'name="present" value="'),
    "essaimage:participant_add": Access(lambda o: {"pk": _training(o).pk}, logged_in(405)),  # require_POST
    "essaimage:participant_delete": Access(_participant, logged_in(405)),  # require_POST
    "essaimage:training_document_add": Access(lambda o: {"pk": _training(o).pk}, logged_in(405)),  # require_POST
    "essaimage:training_document_download": Access(_document, OTHERS, "%PDF-"),
    "essaimage:training_document_download [own]": Access(_own_document, OWN, "%PDF-"),
    "essaimage:attendance_sheet": Access(lambda o: {"pk": _training(o).pk}, SHEET_OTHERS, "%PDF-"),
    "essaimage:attendance_sheet [own]": Access(lambda o: {"pk": _own_training(o).pk}, SHEET_OWN, "%PDF-"),
}

POST_MATRIX: dict = {
    # Creating and editing: the form comes back with its errors (incomplete data).
    "essaimage:training_create": Access(
        lambda o: {"pk": o.innovation.pk}, only(*STAFF, ok=400), 'value="Nouvelle formation"'
    ),
    "essaimage:training_edit": Access(lambda o: {"pk": _training(o).pk}, only(*STAFF, ok=400), 'value="Nouveau titre"'),
    # Days, trainees, documents: managers and administrators, back to the training.
    "essaimage:training_day_add": Access(lambda o: {"pk": _training(o).pk}, only(*STAFF, ok=BACK_TO_TRAINING)),
    "essaimage:training_day_delete": Access(_day, only(*STAFF, ok=BACK_TO_TRAINING)),
    "essaimage:participant_add": Access(
        lambda o: {"pk": _training(o).pk}, only(*STAFF, ok=400), 'value="Paul Hamel"'
    ),  # no structure chosen
    "essaimage:participant_delete": Access(_participant, only(*STAFF, ok=BACK_TO_TRAINING)),
    "essaimage:training_document_add": Access(
        lambda o: {"pk": _training(o).pk}, only(*STAFF, ok=400), 'value="Programme"'
    ),  # no file
    "essaimage:attendance": Access(_day, only(*STAFF, ok=BACK_TO_TRAINING)),
}

POST_DATA: dict = {
    "essaimage:training_create": {"title": "Nouvelle formation"},
    "essaimage:training_edit": {"title": "Nouveau titre"},
    "essaimage:training_day_add": {"date": "2025-06-02", "topic": "Retours d'expérience"},
    "essaimage:participant_add": {"full_name": "Paul Hamel"},
    "essaimage:training_document_add": {"title": "Programme"},
    "essaimage:attendance": {"present": []},
}
