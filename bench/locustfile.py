"""Locust scenario of ``bench/load.py``: a mixed load of the main pages at a fixed rate.

Not meant to be run by hand: ``bench/load.py`` writes the plan (pages, weights and the
session cookie of the role that opens each page) to a JSON file named by ``BENCH_PLAN``
and starts ``locust --headless`` with it.

Each simulated visitor requests one page of the plan, drawn by weight, every
``1 / BENCH_USER_RATE`` seconds (``constant_throughput``: the pace does not slow down
when the server answers slowly, as long as an answer takes less than that interval);
``bench/load.py`` starts ``rate / BENCH_USER_RATE`` visitors so that the arrival rate is
``rate`` requests per second. A page counts as an error unless it answers 200 (a
redirect to the login page would mean a lost session).
"""

import json
import os
import random
from pathlib import Path

from locust import FastHttpUser, constant_throughput, task

PLAN = json.loads(Path(os.environ["BENCH_PLAN"]).read_text())
PAGES = PLAN["pages"]
WEIGHTS = [page["weight"] for page in PAGES]


class Visitor(FastHttpUser):
    wait_time = constant_throughput(float(os.environ.get("BENCH_USER_RATE", "0.5")))

    @task
    def page(self):
        page = random.choices(PAGES, WEIGHTS)[0]
        self.client.cookiejar.clear()  # each request carries its own role's session only
        headers = {"Cookie": page["cookie"]} if page["cookie"] else {}
        with self.client.get(
            page["path"], name=page["name"], headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
