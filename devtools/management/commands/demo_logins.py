"""Print the demo accounts and their password as JSON (``scripts/run``'s banner reads it).

``ais.devstack`` sits in the core and may not import ``devtools``: it runs this command.
"""

import json

from django.core.management.base import BaseCommand

from devtools.demo import DEMO_PASSWORD, demo_logins_text


class Command(BaseCommand):
    help = "Print the demo logins and their password (JSON)."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps({"password": DEMO_PASSWORD, "logins": demo_logins_text()}))
