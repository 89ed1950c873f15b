"""Warm kernels: a template process that has imported everything once and forks a fresh
ipykernel per notebook.

Why: a kernel started from scratch spends about a second importing IPython, pandas, matplotlib
and basisop, and every notebook then loads and validates the study again (seconds at national
scale). The template is started once per run, with the kernels' environment (so the hash seed,
MATPLOTLIBRC and SOURCE_DATE_EPOCH are those of a fresh kernel), imports the libraries, loads the
run's validated snapshot of the study and then only forks.

Guarantees:
- Every notebook still runs in its own ipykernel, started by papermill's kernel manager: the
  kernel is a fresh fork of the template, so nothing one notebook sets is seen by the next.
- The template forks before any thread or ZMQ socket exists (it imports, never starts, the
  kernel machinery): forking a process with threads can deadlock on a lock held at the fork.
- Output equals a fresh kernel's: the template sets MPLBACKEND as ipykernel would before
  importing matplotlib, and the snapshot is the very data `load_valid` would return
  (tests/test_batch.py compares the bytes).

A worker's kernel manager asks for a kernel with `ForkedKernel` (its provisioner's process,
basisop/batch/execute.py): no process stands between the worker and its kernel. The kernel exits
when its worker's connection closes (the worker ended or was killed); signals go to its pid.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

# Imported once in the template; what the notebooks import, so no kernel pays for it (a module
# with Jinja templates compiles them on import: a tenth of a second each). Not the
# inline backend: it hooks into the IPython shell when first imported, and there is none yet.
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "IPython", "IPython.display", "pandas",
           "matplotlib.pyplot", "basisop.presentation",
           "basisop.presentation.overview", "basisop.presentation.plan",
           "basisop.presentation.waves", "basisop.io.dataset", "basisop.scoring",
           # What a kernel imports while it starts (the debugger alone is a hundred modules):
           # a tenth of a second of CPU in every kernel otherwise.
           "ipykernel.debugger", "IPython.core.debugger", "IPython.core.completerlib",
           "IPython.extensions.storemagic", "tornado.locks", "tornado.queues",
           "tornado.platform.asyncio", "sqlite3", "IPython.core.oinspect",
           "IPython.utils.wildcard", "faulthandler")
# Every kernel's, warm or fresh: no input history, which would go to the user's ~/.ipython
# database that hundreds of kernels would take turns to lock; a report never reads it.
KERNEL_OPTIONS = ("--HistoryManager.enabled=False",)
_READY = b"klaar\n"
# How often a process of a run (the template, a worker) checks that its run is still there.
PARENT_CHECK_S = 1.0


class KernelServer:
    """The template process of one run; a context manager that stops it on exit."""

    def __init__(self, folder: Path, env: Mapping[str, str], snapshot: Path | None = None,
                 timeout: float = 120):
        self.socket = folder / "ks.sock"
        command = [sys.executable, "-m", "basisop.batch.kernels", str(self.socket),
                   str(snapshot or "")]
        self.process = subprocess.Popen(command, env={**os.environ, **env},
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=(folder / "ks.log").open("ab"),
                                        start_new_session=True)
        # Not waited for here: the template starts (seconds, at national scale) while the
        # caller goes on with its own preparations; `address` waits.
        self._log, self._timeout, self._ready = folder / "ks.log", timeout, False

    def address(self) -> str:
        """Where `ForkedKernel` asks this server for a kernel, once it is ready."""
        if not self._ready:
            if _readline(self.process, self._timeout) != _READY:
                self.close()
                raise RuntimeError(f"kernelsjabloon start niet (zie {self._log})")
            self._ready = True
        return str(self.socket)

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def __enter__(self) -> KernelServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _readline(process: subprocess.Popen, timeout: float) -> bytes:
    result: list[bytes] = []
    reader = threading.Thread(target=lambda: result.append(process.stdout.readline()),
                              daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0] if result else b""


class ForkedKernel:
    """A kernel forked by the template, held as jupyter_client's LocalProvisioner holds the
    `subprocess.Popen` of a kernel it started: poll, wait, signals. The kernel is the template's
    child, not ours; the connection to the template's fork stands for it (end of file: exited)."""

    stdin = stdout = stderr = None  # no pipes: the kernel writes to the caller's files

    def __init__(self, server: str, argv: Sequence[str], *, cwd: str, env: Mapping[str, str],
                 stdout: IO, stderr: IO):
        """`argv`: the kernel's arguments after `python -m ipykernel_launcher`."""
        self.returncode: int | None = None
        self._conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._conn.connect(server)
            request = json.dumps({"argv": list(argv), "cwd": cwd, "env": dict(env)})
            with open(os.devnull, "rb") as stdin:
                socket.send_fds(self._conn, [request.encode() + b"\n"],
                                [stdin.fileno(), stdout.fileno(), stderr.fileno()])
            self.pid = _read_pid(self._conn)
        except BaseException:
            self._conn.close()
            raise

    def poll(self) -> int | None:
        if self.returncode is None:
            with contextlib.suppress(BlockingIOError):  # nothing to read: still running
                self._read(socket.MSG_DONTWAIT)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._conn.settimeout(timeout)
            try:
                while self.returncode is None:
                    self._read()
            except TimeoutError:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout) from None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:  # never a pid that may have been handed on
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def _read(self, flags: int = 0) -> None:
        try:
            ended = not self._conn.recv(1, flags)  # the kernel never writes: only its end counts
        except ConnectionError:
            ended = True
        if ended:
            self.returncode = 0  # not our child: its exit status is the template's to reap
            self._conn.close()


def _read_pid(conn: socket.socket) -> int:
    reply = b""
    while not reply.endswith(b"\n"):
        chunk = conn.recv(32)
        if not chunk:
            raise RuntimeError("het kernelsjabloon maakte geen kernel")
        reply += chunk
    return int(reply)


def write_snapshot(data, folder: Path) -> Path:
    """The validated study, for the template to load."""
    path = folder / "studie.pickle"
    with path.open("wb") as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return path


# -- the template process -------------------------------------------------------------------

def _serve(socket_path: str, snapshot: str) -> None:
    if sys.path and Path(sys.path[0] or ".").resolve() == Path.cwd():
        del sys.path[0]  # as ipykernel_launcher does; the kernel adds it back
    # What ipykernel does at start-up, done before matplotlib reads it on import.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    import importlib

    for module in PRELOAD:
        importlib.import_module(module)
    # pandas picks display.max_columns at import: 0 in a terminal (as here, before the kernel
    # exists), 20 in a kernel. Set what a fresh kernel has, or DataFrame reprs would differ.
    sys.modules["pandas"].set_option("display.max_columns", 20)
    if snapshot:
        from basisop.io import dataset

        with open(snapshot, "rb") as handle:
            data = pickle.load(handle)
        dataset.use_snapshot(data)
        # Scored and grouped once here, as every notebook would, so it is in every fork.
        importlib.import_module("basisop.presentation").prepare(data)
    _draw_once()
    assert threading.active_count() == 1, "the template must fork without threads"
    # Out of the collector's sight: a kernel's garbage collections would otherwise walk, and so
    # copy, every page of the template's objects (time and memory in every kernel).
    gc.freeze()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped by the system
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(64)
    # A run killed outright (SIGKILL, power) cannot stop its template: the template stops
    # itself once its parent is gone, checked between requests (no thread before a fork).
    listener.settimeout(PARENT_CHECK_S)
    parent = os.getppid()
    sys.stdout.buffer.write(_READY)
    sys.stdout.flush()
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            if os.getppid() != parent:
                os._exit(0)
            continue
        conn.settimeout(None)
        message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
        request = json.loads(message)
        pid = os.fork()
        if pid == 0:
            listener.close()
            _kernel(conn, fds, request)  # never returns
        for fd in fds:
            os.close(fd)
        conn.sendall(f"{pid}\n".encode())
        conn.close()


def _draw_once() -> None:
    """Render a small figure with text, outside pyplot: the fonts and their caches load here,
    once, instead of in every kernel's first figure. Touches no pyplot state (figure numbers),
    so a kernel's output stays that of a fresh one."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.barh(["a"], [1], hatch="//", label="b")
    axes.set_title("c")
    axes.legend(fontsize=8)
    figure.savefig(io.BytesIO(), format="png")


def _kernel(conn: socket.socket, fds: list[int], request: dict) -> None:
    """In the fork: become the client's kernel (its streams, directory, environment)."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        threading.Thread(target=_exit_with_client, args=(conn,), daemon=True).start()
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _exit_with_client(conn: socket.socket) -> None:
    """The worker's connection stands for this kernel; when it closes (the worker ended or was
    killed), the kernel goes too."""
    while True:
        try:
            if not conn.recv(1):
                break
        except InterruptedError:
            continue
        except OSError:
            break
    time.sleep(0.1)
    os._exit(1)


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2])
