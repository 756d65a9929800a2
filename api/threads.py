"""Running blocking store calls off the event loop, answered at the query deadline whatever they do.

The store stops most runaway queries itself (:mod:`kg.store.streaming`); this is the backstop for
the ones it cannot interrupt: the request is answered 503 at the deadline and the worker thread is
left to finish on its own, holding one of the thread pool's tokens (so at most the pool's size of
such queries can pile up; the server goes on serving everything else).
"""

from collections.abc import Callable
from functools import partial
from typing import TypeVar

import anyio
import anyio.to_thread

from kg.errors import QueryTimeout

T = TypeVar("T")

#: Extra seconds for the store's own deadline check to answer first (with its clearer message).
GRACE = 0.5


async def run_with_deadline(timeout: float, function: Callable[..., T], *args, **kwargs) -> T:
    """``function(*args, **kwargs)`` in a worker thread; :class:`QueryTimeout` after ``timeout`` s."""
    try:
        with anyio.fail_after(timeout + GRACE):
            return await anyio.to_thread.run_sync(partial(function, *args, **kwargs), abandon_on_cancel=True)
    except TimeoutError:
        raise QueryTimeout(f"the query ran longer than {timeout:g} s; it was abandoned") from None
