"""One run per folder: an exclusive lock file claims a run or sweep folder for one process.

A claim is the file ``.simlab.lock`` in the folder, holding who claimed it (PID, host, the
process's start time, the command, when). It is created atomically with its content (written
to a private file first, then hard-linked into place, which fails if the name exists), so a
second process either sees no lock or a complete one. While the holder lives, every other
claim of the folder is refused with :class:`FolderBusy`, naming the holder. A lock whose
holder is gone (its PID no longer runs on this host, or runs a process started later) is
stale and is taken over with a warning; a lock from another host cannot be checked and is
refused, with the command that removes it. The claim is released (the file removed) when the
run ends, at interpreter exit at the latest.

:func:`claim_new` makes a new folder for a run that did not name one: the folder asked for,
or the first free ``<name>_2``, ``<name>_3``, ... (``mkdir`` is atomic, so two processes
never get the same one).
"""

import atexit
import fcntl
import json
import os
import socket
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from simlab.errors import SimlabError

LOCK_FILE = ".simlab.lock"

#: Claims held by this process, released at exit if the run did not release them.
_held = []


class FolderBusy(SimlabError):
    """The folder is claimed by another live run."""


def _process_start(pid):
    """Start time of ``pid`` in clock ticks since boot (Linux), or None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])


def _alive(pid, start):
    """True if ``pid`` runs on this host and is the process that started at ``start``."""
    if pid <= 0:  # os.kill(0 or -1, ...) would address process groups
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    now = _process_start(pid)
    return start is None or now is None or now == start


def identity():
    """What identifies this process to others: PID, host and the process's start time."""
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "process_start": _process_start(os.getpid())}


def _holder_text(holder, path):
    command = " ".join(holder.get("command", [])) or "?"
    return (f"PID {holder.get('pid')} on host {holder.get('host')} (since "
            f"{holder.get('started', '?')}: {command}; lock file {path})")


def read_holder(folder):
    """The holder recorded in ``folder``'s lock file, or None if there is none."""
    try:
        return json.loads((Path(folder) / LOCK_FILE).read_text())
    except (OSError, ValueError):
        return None


def holder_alive(holder):
    """True / False for a holder on this host, None for one on another host."""
    if holder.get("host") != socket.gethostname():
        return None
    try:
        return _alive(int(holder["pid"]), holder.get("process_start"))
    except (KeyError, TypeError, ValueError):
        return False  # no valid PID: nobody can hold it


class Claim:
    """A folder claimed by this process; :meth:`release` gives it up.

    Attributes
    ----------
    folder : Path
    created : bool
        True if this claim created the folder (a run that ends without results removes it).
    created_parents : list of Path
        Parent folders this claim created, innermost first.
    """

    def __init__(self, folder, kind, created=False, created_parents=()):
        self.folder = Path(folder)
        self.kind = kind
        self.created = created
        self.created_parents = list(created_parents)
        self.record = {**identity(), "kind": kind,
                       "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                       "command": [Path(sys.argv[0]).name] + sys.argv[1:],
                       "token": f"{os.getpid()}-{time.time_ns()}"}
        self.warning = None

    @property
    def lock(self):
        return self.folder / LOCK_FILE

    def _acquire(self):
        tmp = self.folder / f".{LOCK_FILE}.{self.record['token']}.tmp"
        tmp.write_text(json.dumps(self.record))
        try:
            for _ in range(100):
                try:
                    os.link(tmp, self.lock)
                    return
                except FileExistsError:
                    pass
                holder = read_holder(self.folder)
                if holder is None:  # removed in between, or being replaced: look again
                    time.sleep(0.01)
                    continue
                if holder_alive(holder) is not False:
                    where = "" if holder.get("host") == socket.gethostname() else (
                        f"; if that run is gone, remove the lock: rm '{self.lock}'")
                    raise FolderBusy(f"{self.folder}: in use by another simlab run, "
                                     f"{_holder_text(holder, self.lock)}{where}")
                if self._take_over(tmp, holder):
                    self.warning = (f"{self.folder}: took over the stale lock of "
                                    f"{_holder_text(holder, self.lock)}, which no longer runs")
                    return
            raise FolderBusy(f"{self.folder}: its lock file {self.lock} keeps changing; "
                             "another process is claiming the folder")
        finally:
            tmp.unlink(missing_ok=True)

    def _take_over(self, tmp, stale):
        """Replace the stale lock by ours, unless another process replaced it first (the
        check and the replacement happen under a lock on the folder, held by one process of
        this host at a time; stale locks are only ever taken over on their own host)."""
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if read_holder(self.folder) != stale:
                return False
            os.replace(tmp, self.lock)
            return True
        finally:
            os.close(fd)  # closing releases the flock

    def release(self):
        """Remove the lock file if it is still this claim's (idempotent)."""
        if self in _held:
            _held.remove(self)
        holder = read_holder(self.folder)
        if holder is not None and holder.get("token") == self.record["token"]:
            self.lock.unlink(missing_ok=True)

    def remove_folder(self):
        """Delete the folder (and the parents this claim created, when left empty); only
        for a folder this claim created, used when the run leaves nothing worth keeping."""
        import shutil

        self.release()
        if not self.created:
            return
        shutil.rmtree(self.folder, ignore_errors=True)
        for parent in self.created_parents:
            try:
                parent.rmdir()
            except OSError:
                break


def _mkdir_tracking(folder):
    """Create ``folder`` and any missing parents; return the parents created (innermost
    first). Raises FileExistsError if ``folder`` itself exists."""
    missing = []
    for parent in Path(folder).parents:
        if parent.exists():
            break
        missing.append(parent)
    created = []
    for parent in reversed(missing):
        try:
            parent.mkdir()
            created.insert(0, parent)
        except FileExistsError:
            pass
    Path(folder).mkdir()
    return created


def _register(claim):
    _held.append(claim)
    return claim


def claim(folder, kind="run"):
    """Claim an existing or new folder that the user named.

    Raises
    ------
    FolderBusy
        If another live simlab process holds it (naming its PID and host).
    OSError
        If the folder cannot be created or written (read-only, full disk).
    """
    folder = Path(folder)
    try:
        parents = _mkdir_tracking(folder)
        created = True
    except FileExistsError:
        parents, created = [], False
    c = Claim(folder, kind, created, parents)
    try:
        c._acquire()
    except BaseException:
        if created:
            c.remove_folder()
        raise
    return _register(c)


def claim_new(folder, kind="run"):
    """Claim a new folder: ``folder`` itself if it does not exist, else the first free
    ``folder_2``, ``folder_3``, ... (created atomically, so no two processes share one)."""
    folder = Path(folder)
    for n in range(1, 10_000):
        candidate = folder if n == 1 else folder.with_name(f"{folder.name}_{n}")
        try:
            parents = _mkdir_tracking(candidate)
        except FileExistsError:
            continue
        c = Claim(candidate, kind, True, parents)
        try:
            c._acquire()
        except BaseException:
            c.remove_folder()
            raise
        return _register(c)
    raise FolderBusy(f"{folder}: no free folder name among {folder.name}_2 .. _9999")


def held():
    """The claims this process holds (newest last)."""
    return list(_held)


@atexit.register
def _release_all():
    for c in list(_held):
        try:
            c.release()
        except OSError:
            pass
