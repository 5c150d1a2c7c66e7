"""gunicorn's settings, read from the working directory by every gunicorn we start (the
Dockerfile's and docker-compose.yml's web server, ``bench/load.py``); command-line
options (bind address, timeout, logs, workers) come on top.

Threaded workers (``gthread``): browsers, proxies and load tools keep their HTTP
connections open between requests. gunicorn's default ``sync`` worker serves one
connection at a time and, since gunicorn 23, lingers up to two seconds after each
response until the client closes its side (``util.close_graceful``): a keep-alive
client then holds a whole worker idle. Measured with ``bench/load.py`` (docs/performance.md):
at 30 requests/s the median went from about 300 ms with sync workers to the page's own
time with threaded ones. Each thread holds its own database connection
(``CONN_MAX_AGE``): workers × threads connections per web container.
"""

import os

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5  # seconds an idle keep-alive connection is kept (a thread waits on it, not a worker)

# The access log never holds the secrets of e-mailed links (questionnaire, registration,
# activation, password reset and invitation tokens): see ais/core/access_log.py.
logger_class = "ais.core.access_log.TokenMaskingLogger"
