"""gunicorn settings for `make serve` and production (see README, "Deploying").

Every value can be overridden from the environment (GUNICORN_CMD_ARGS or the
variables below) so the same file serves a laptop and a server.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Synchronous workers: requests are short and database-bound; more workers than cores
# keep the CPU busy while others wait on PostgreSQL.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # the XLSX export of a large campaign
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Build the app once in the master: workers fork with the code loaded (faster start,
# shared memory). Database connections are opened lazily, after the fork.
preload_app = True
# Trust X-Forwarded-* only from the reverse proxy on this machine.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")


def post_fork(server, worker):
    """Connections must never cross a fork: drop any the master opened while loading."""
    app = worker.app.wsgi()
    extension = getattr(app, "extensions", {}).get("sqlalchemy")
    if extension is not None:
        with app.app_context():
            for engine in extension.engines.values():
                engine.dispose(close=False)
