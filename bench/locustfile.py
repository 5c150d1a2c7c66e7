"""Locust scenario of ``bench/load.py``: a mixed load of the main pages at a fixed rate.

Not meant to be run by hand: ``bench/load.py`` writes the plan (pages, weights and the
session cookie of the role that opens each page) to a JSON file named by ``BENCH_PLAN``
and starts ``locust --headless`` with it. locust comes with requirements/bench.lock
(``.venv/bin/pip install -r requirements/bench.lock``).

Each simulated visitor requests one page of the plan, drawn by weight, at the times of a
Poisson process of ``BENCH_USER_RATE`` requests per second: the time from one request's
start to the next is drawn from an exponential distribution (``poisson_pacing``), and the
pace does not slow down when the server answers slowly (as long as an answer comes
before the next start). ``bench/load.py`` starts ``rate / BENCH_USER_RATE`` visitors, so
the arrivals make one Poisson process of ``rate`` requests per second: spread over time,
with the random bunching of real traffic.

Why not locust's ``constant_throughput``: it counts the time since the visitor was
started, so visitors started together (``--spawn-rate``) stay in step and every one of
them requests a page in the same instant, once per interval, even when each is given a
random first delay. That made bursts of 60 requests every 2 s instead of 30 requests a
second, and the server's queue, not its speed, made the latencies.

A page counts as an error unless it answers 200 (a redirect to the login page would mean
a lost session).
"""

import json
import os
import random
import time
from pathlib import Path

import gevent
from locust import FastHttpUser, task

PLAN = json.loads(Path(os.environ["BENCH_PLAN"]).read_text())
PAGES = PLAN["pages"]
WEIGHTS = [page["weight"] for page in PAGES]
USER_RATE = float(os.environ.get("BENCH_USER_RATE", "0.5"))


def poisson_pacing(user) -> float:
    """Seconds to wait before the next request so that the starts form a Poisson process."""
    user.next_start += random.expovariate(USER_RATE)
    return max(0.0, user.next_start - time.monotonic())


class Visitor(FastHttpUser):
    wait_time = poisson_pacing

    def on_start(self):
        self.next_start = time.monotonic()
        gevent.sleep(poisson_pacing(self))  # the first request at a random time too

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
