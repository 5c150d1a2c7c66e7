#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ais.settings")
    if "SECRET_KEY" not in os.environ and "DEBUG" not in os.environ:
        # A development checkout with nothing configured: development defaults. Deployments
        # always set SECRET_KEY (docker-compose.yml requires it), so they are unaffected.
        os.environ["DEBUG"] = "true"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
