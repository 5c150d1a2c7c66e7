"""A cache for figures computed from many rows (indicators, maps), in Redis.

The programme's figures read every counted answer (66,000 after ten years) or every
structure: the pages keep what they computed under a key that names the *data
version*. Any save of a model the figures are computed from sets a new version, now
and again once its transaction commits (``invalidate_on_save``, called by each app's
``ready()``), so the next page computes afresh and nothing from before a change is
served after it. ``CACHE_SECONDS`` (an hour) only bounds what a change made outside ``save()``
(a queryset ``update()``, a bulk load) could leave behind; the commands that write in
bulk (``generate_data``, ``restore``) call ``invalidate()`` themselves.

There is no ``post_delete`` receiver on purpose: it would turn every bulk delete of
those rows into a row-by-row one; the product deletes none of them.
"""

import logging
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save

logger = logging.getLogger(__name__)

VERSION_KEY = "figures:version"
# Explicit invalidation makes the lifetime a safety net only: an hour, so that a busy
# page recomputes its figures (0.4 s for the programme's) at most once an hour.
CACHE_SECONDS = 60 * 60


def data_version() -> int:
    """The current version of the data the figures are computed from."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def invalidate() -> None:
    """Give the data a new version: every cached figure is computed again when next asked."""
    try:
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)
    except Exception:  # Redis down: entries expire after CACHE_SECONDS anyway
        logger.warning("Could not invalidate the cached figures", exc_info=True)


def _on_save(**kwargs) -> None:
    """Invalidate now and again once the change is committed (a page computed between
    the two from the data before the change is not kept past the commit)."""
    invalidate()
    transaction.on_commit(invalidate)


def invalidate_on_save(*models) -> None:
    """Every save of one of ``models`` gives the data a new version."""
    for model in models:
        post_save.connect(_on_save, sender=model, dispatch_uid=f"figures-{model._meta.label}")


def cached(name: str, compute):
    """``compute()``, kept in the cache for the current data version under ``name``.
    When the cache cannot be reached the figures are computed every time."""
    try:
        key = f"figures:{data_version()}:{name}"
        value = cache.get(key)
    except Exception:
        logger.warning("Figures cache unreachable", exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout=CACHE_SECONDS)
        except Exception:
            logger.warning("Could not store figures in the cache", exc_info=True)
    return value
