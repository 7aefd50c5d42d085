"""A read retried while the database is briefly away (a PostgreSQL restart or failover).

One mechanism for every place a request reads before it can answer: the view
(perfgoals.operations.middleware) and the middleware that must load the user before the view
(perfgoals.accounts.middleware). Writes are never retried: their transaction committed or
rolled back whole.
"""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import connections
from django.db.utils import InterfaceError, OperationalError

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
T = TypeVar("T")


def discard_broken_connections() -> bool:
    """Close connections so the next query reconnects; False inside a transaction, which a
    new connection could not continue."""
    if any(conn.in_atomic_block for conn in connections.all(initialized_only=True)):
        return False
    for conn in connections.all(initialized_only=True):
        conn.close()
    return True


def retried(call: Callable[[], T], failure: Exception) -> T:
    """call() once more after each of DB_RETRY_DELAYS, following its `failure`: the first
    result, or the last failure raised when the database stays away."""
    for delay in settings.DB_RETRY_DELAYS:
        if not discard_broken_connections():
            break
        time.sleep(delay)
        try:
            return call()
        except DATABASE_ERRORS as again:
            logger.warning("retry after %.1f s failed: %s", delay, again)
            failure = again
    raise failure
