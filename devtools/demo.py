"""Demo accounts shared by the ``demo_data`` command and ``scripts/run``'s banner."""

DEMO_PASSWORD = "Demo-AIS-2026!"  # noqa: S105 - printed on purpose, demo only

# (e-mail, first name, last name, role code, organisation name or None). The people are fictional;
# so are their organisations, except Ansa, which runs the programme (devtools/programme_facts.py).
DEMO_USERS = [
    ("manager@demo.ais-emploi.fr", "Camille", "Martin", "manager", "Ansa"),
    (
        "comite@demo.ais-emploi.fr",
        "Julien",
        "Bernard",
        "committee",
        "Partenaire de démonstration du comité de pilotage",
    ),
    ("porteur@demo.ais-emploi.fr", "Nadia", "Haddad", "carrier", "Association porteuse de démonstration – Lyon"),
    ("structure@demo.ais-emploi.fr", "Thomas", "Petit", "structure", "Régie de quartier de démonstration – Rouen"),
    ("admin@demo.ais-emploi.fr", "Sophie", "Leroy", "admin", "Ansa"),
]

ROLE_LABELS = {
    "manager": "Chargé·e de projets Ansa",
    "committee": "Membre du comité de pilotage",
    "carrier": "Porteur de projet",
    "structure": "Structure essaimée",
    "admin": "Administrateur",
}


def demo_logins_text() -> str:
    return "\n".join(f"   {ROLE_LABELS[role]:<32} {email}" for email, _f, _l, role, _o in DEMO_USERS)
