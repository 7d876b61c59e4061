"""One run at a time per month: a lock file beside the month's work folder.

``bottleneck run`` refuses at once when the month is busy; a single ``step`` or ``check`` (the
orchestrators' tasks, several of which may run side by side) waits its turn, up to
``BOTTLENECK_LOCK_WAIT`` seconds (default 300). Re-entering from the same process is free.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

from .errors import PipelineError

_held: dict[Path, int] = {}  # lock files this process holds, with a re-entry count
_guard = threading.RLock()


def _wait_default() -> float:
    try:
        return max(0.0, float(os.environ.get("BOTTLENECK_LOCK_WAIT", "300")))
    except ValueError:
        return 300.0


@contextmanager
def month_lock(paths, wait: bool = True):
    """Hold the month's lock (``<work root>/.<month>.lock``) for the duration of the block."""
    from filelock import FileLock, Timeout

    path = Path(os.path.abspath(paths.work.parent / f".{paths.month}.lock"))
    owner = path.with_name(path.name + ".pid")
    with _guard:
        if path in _held:  # a run holding the lock calls its own steps
            _held[path] += 1
            try:
                yield
            finally:
                _held[path] -= 1
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path), thread_local=False)
    try:
        lock.acquire(timeout=_wait_default() if wait else 0)
    except Timeout:
        try:
            pid = owner.read_text(encoding="utf-8").strip() or "?"
        except OSError:
            pid = "?"
        raise PipelineError(
            en=f"Month {paths.month} is being processed by another run (pid {pid}); wait for it to finish, then retry.",
            fr=f"Le mois {paths.month} est en cours de traitement par une autre exécution (pid {pid}) ; "
            "attendez qu'elle se termine, puis relancez.",
        ) from None
    try:
        owner.write_text(str(os.getpid()), encoding="utf-8")
        with _guard:
            _held[path] = 1
        yield
    finally:
        with _guard:
            _held.pop(path, None)
        lock.release()
