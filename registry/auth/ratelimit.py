"""Brute-force resistance: too many failed authentications from one address answer 429.

A fixed window per client address: after ``limit`` failures within ``window`` seconds every
request from that address that presents a token is refused with 429 and ``Retry-After`` until
the window ends. Counts are per process (each worker counts on its own). The clock is
injectable so tests need no sleeping.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from registry.errors import TooManyRequests

MAX_ADDRESSES = 100_000


class FailureLimiter:
    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit, self._window, self._clock = limit, window, clock
        self._windows: dict[str, tuple[float, int]] = {}  # address -> (window start, failures)

    def check(self, address: str) -> None:
        """``TooManyRequests`` while ``address`` is over the limit."""
        entry = self._current(address)
        if entry is not None and entry[1] >= self._limit:
            wait = max(1, math.ceil(entry[0] + self._window - self._clock()))
            raise TooManyRequests(
                "too_many_failed_authentications",
                f"too many failed authentications from this address; retry in {wait} s",
                headers={"Retry-After": str(wait)},
            )

    def record_failure(self, address: str) -> None:
        entry = self._current(address)
        if entry is None:
            if len(self._windows) >= MAX_ADDRESSES:
                self._windows.clear()  # bounded memory; a flood only resets the counts
            entry = (self._clock(), 0)
        self._windows[address] = (entry[0], entry[1] + 1)

    def _current(self, address: str) -> tuple[float, int] | None:
        entry = self._windows.get(address)
        if entry is not None and self._clock() - entry[0] >= self._window:
            del self._windows[address]
            return None
        return entry
