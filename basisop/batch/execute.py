"""Executing notebooks in parallel worker processes, each with a wall-time limit.

At most `workers` worker processes, each running one notebook at a time and then the next: it
parameterises and runs the notebook with papermill (kernel `python3`, a fresh kernel for every
notebook) and converts the result to HTML in-process; the parent only schedules, watches the
clock and collects outcomes. A notebook that raises, runs out of time or loses its kernel fails
alone: the others run on. A worker lives for many notebooks (starting and ending a process per
notebook was a tenth of a national run's CPU); one that runs out of time is killed with its
kernel and replaced, one that dies is replaced.

Kernel port races (papermill#511, ipykernel#412, jupyter_client#487): with the tcp transport,
jupyter_client picks "free" ports by binding and releasing them, and the kernel binds them a
moment later; two workers starting kernels at once can be handed the same port and one kernel
dies with "ZMQError: Address already in use". Retries in ipykernel and jupyter_client's
LocalPortCache only narrow that window, and the cache is per process, so it cannot help across
worker processes. We use the ipc transport instead: each kernel's channels are Unix sockets
named after its own connection file, so there is no shared port namespace to race for. Note the
trap: with transport="ipc" but no connection file set yet, jupyter_client names the sockets
"kernel-ipc-1" ... relative to the working directory, identical for every kernel. So each
worker gets its own runtime directory and each kernel a connection file named by its id before
the socket names are derived from it.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing.connection import Connection, wait
from pathlib import Path
from queue import Empty

import papermill
import papermill.execute
import psutil
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import KernelProvisionerFactory, LocalProvisioner
from nbclient.exceptions import DeadKernelError
from papermill.exceptions import PapermillExecutionError
from traitlets import Unicode, default

from basisop.batch.export import audit_notebook, circulation_html, warm_exporter
from basisop.batch.kernels import KERNEL_OPTIONS, PARENT_CHECK_S, ForkedKernel

KERNEL = "python3"
TIMEOUT = "time-out"
DEAD_KERNEL = "kernel gestorven"
DEAD_WORKER = "werkproces gestorven"
UNKNOWN_PARAMETER = "onbekende parameter"
_INJECTED_TAG = "injected-parameters"
# After a kill, how long to wait for processes to go before giving up on them.
_KILL_GRACE_S = 10


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to run: `name` is the output file's stem, `label` what the reader sees."""

    name: str
    label: str
    notebook: Path
    parameters: Mapping[str, str]
    title: str
    cwd: Path | None = None  # the kernel's working folder; None: the notebook's

    def __post_init__(self) -> None:
        # Strings only: papermill writes them as string literals, so "0363" stays "0363".
        wrong = [k for k, v in self.parameters.items() if not isinstance(v, str)]
        if wrong:
            raise TypeError(f"parameters must be strings: {', '.join(wrong)}")


@dataclass(frozen=True)
class Failure:
    """Why one notebook produced no report. `cell` indexes the notebook as stored (from 0)."""

    job: str
    notebook: Path
    error: str  # the exception's name, or TIMEOUT, DEAD_KERNEL, DEAD_WORKER, UNKNOWN_PARAMETER
    message: str = ""
    cell: int | None = None
    cell_source: str = ""  # the cell's first line, to find it in the notebook

    def __str__(self) -> str:
        where = ""
        if self.cell is not None:
            where = f" in cel {self.cell}"
            if self.cell_source:
                where += f" ({self.cell_source})"
        message = f": {self.message}" if self.message else ""
        return f"{self.job} [{self.notebook.name}]{where}: {self.error}{message}"


@dataclass(frozen=True)
class JobOutcome:
    job: NotebookJob
    seconds: float
    html: Path | None = None  # staged, not yet published
    executed: Path | None = None  # the executed notebook, staged
    failure: Failure | None = None
    execute_seconds: float = 0.0  # of `seconds`: papermill (kernel start and cells)
    convert_seconds: float = 0.0  # of `seconds`: nbconvert and writing the staged files

    @property
    def ok(self) -> bool:
        return self.failure is None


def run_notebooks(jobs: Sequence[NotebookJob], *, staging: Path, workers: int, timeout: float,
                  env: Mapping[str, str] | None = None,
                  on_done: Callable[[JobOutcome], None] | None = None,
                  kernel_server: str | None = None) -> list[JobOutcome]:
    """Run every job, at most `workers` at once; outcomes in the order of `jobs`.

    `timeout` is each notebook's wall time in seconds, from its start in a worker to its staged
    HTML (kernel start, execution and conversion). `staging` receives each job's HTML and
    executed notebook; `env` is added to the workers' (and so the kernels') environment;
    `on_done` is called as each job finishes. `kernel_server`: the address of a warm kernel
    template (`basisop.batch.kernels.KernelServer.address`) that forks each notebook's kernel;
    default a fresh kernel per notebook.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    prepare_workers()
    outcomes: dict[int, JobOutcome] = {}
    pending: deque[tuple[int, NotebookJob]] = deque()
    for i, job in enumerate(jobs):
        failure = _parameter_failure(job)
        if failure is None:
            pending.append((i, job))
        else:
            outcomes[i] = JobOutcome(job, 0.0, failure=failure)
            if on_done:
                on_done(outcomes[i])
    pool = _Pool(staging, dict(env or {}), kernel_server)
    running: list[_Running] = []

    def fill() -> None:
        while pending and len(running) < workers:
            index, job = pending.popleft()
            running.append(pool.assign(index, job, timeout))

    try:
        while pending or running:
            fill()
            finished = _wait_step(running, timeout)
            ended = {index for index, _ in finished}
            for run in running:
                if run.index in ended:
                    pool.release(run)
            running[:] = [r for r in running if r.index not in ended]
            fill()  # the freed slots work on while `on_done` runs (it may scan the pages)
            for index, outcome in finished:
                outcomes[index] = outcome
                if on_done:
                    on_done(outcome)
    finally:
        gc.unfreeze()  # what the run left behind may be collected again
        for run in running:  # only on an exception (Ctrl-C): leave no kernel behind
            _kill_tree(run.worker, run.kernel)
        pool.close()
    return [outcomes[i] for i in range(len(jobs))]


def prepare_workers() -> None:
    """What each forked worker would otherwise do first, done once in the parent (cheap when
    done already; a caller may do it early, while it waits for something else)."""
    warm_exporter()
    # A singleton built on first use from the installed packages' entry points (a scan of
    # every distribution's metadata): a tenth of each worker's time, unless built here.
    KernelProvisionerFactory.instance()


# -- parameters ---------------------------------------------------------------------------------

@lru_cache(maxsize=32)
def _declared_parameters(notebook: Path, mtime: float) -> frozenset[str]:
    return frozenset(papermill.inspect_notebook(str(notebook)))


def declared_parameters(notebook: Path) -> frozenset[str]:
    """The names the notebook's cell tagged "parameters" assigns."""
    return _declared_parameters(notebook, notebook.stat().st_mtime)


def _parameter_failure(job: NotebookJob) -> Failure | None:
    """papermill only warns about a parameter the notebook does not declare; here it is an error,
    because a misspelt name would silently run the notebook with its default."""
    try:
        declared = declared_parameters(job.notebook)
    except Exception as exc:  # unreadable notebook: a failure of this job, not of the run
        return Failure(job.label, job.notebook, type(exc).__name__, str(exc))
    unknown = sorted(set(job.parameters) - declared)
    if not unknown:
        return None
    known = ", ".join(sorted(declared)) or "geen (geen cel met tag 'parameters')"
    return Failure(job.label, job.notebook, UNKNOWN_PARAMETER,
                   f"{', '.join(unknown)}; het notebook kent: {known}")


# -- the parent's side ------------------------------------------------------------------------

@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection  # both ways: jobs to the worker, messages back; end of file: it died


@dataclass
class _Running:
    index: int
    job: NotebookJob
    worker: _Worker
    staging: Path
    deadline: float
    started: float = field(default_factory=time.monotonic)
    cell: int | None = None
    cell_source: str = ""
    ended: bool = False
    answered: bool = False  # the worker reported the end itself: it can take the next job
    failure: Failure | None = None
    times: tuple[float, float] = (0.0, 0.0)
    kernel: psutil.Process | None = None  # the notebook's kernel, once started


def _context() -> multiprocessing.context.BaseContext:
    # fork: a worker starts with papermill, nbclient and nbconvert already imported by the
    # parent, instead of paying about a second of imports per notebook as the CLI does.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class _Pool:
    """The run's worker processes: started when needed, reused while they are sound."""

    def __init__(self, staging: Path, env: dict[str, str], kernel_server: str | None):
        self.staging, self.env, self.kernel_server = staging, env, kernel_server
        self.idle: list[_Worker] = []
        self.started = 0

    def assign(self, index: int, job: NotebookJob, timeout: float) -> _Running:
        """Hand the job to an idle worker, or to a new one."""
        while True:
            worker = self.idle.pop() if self.idle else self._start()
            try:
                worker.conn.send(job)
            except OSError:  # it died while idle: a new one takes the job
                _kill_tree(worker)
                continue
            started = time.monotonic()
            return _Running(index, job, worker, self.staging, started + timeout, started)

    def release(self, run: _Running) -> None:
        """A worker that ended its notebook itself takes the next; one out of time or dead is
        killed with its kernel."""
        if run.answered:
            self.idle.append(run.worker)
        else:
            _kill_tree(run.worker, run.kernel)

    def close(self) -> None:
        """Tell the idle workers to stop; kill those that do not."""
        for worker in self.idle:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in self.idle:
            worker.process.join(_KILL_GRACE_S)
            _kill_tree(worker)
        self.idle.clear()

    def _start(self) -> _Worker:
        # Out of the collector's sight before each fork: a worker's collections would otherwise
        # walk, and so copy, every page of what it inherits (the study, the libraries).
        # run_notebooks unfreezes when the run is over.
        gc.freeze()
        parent_end, worker_end = _context().Pipe(duplex=True)
        # short: a Unix socket path must stay under ~100 bytes
        env = {**self.env, "JUPYTER_RUNTIME_DIR": str(self.staging / f"rt{self.started}")}
        process = _context().Process(target=_serve_jobs,
                                     args=(worker_end, parent_end, self.staging, env,
                                           self.kernel_server),
                                     name=f"basisop-werker-{self.started}", daemon=True)
        process.start()
        worker_end.close()  # the worker holds the only other end: its death shows as end-of-file
        self.started += 1
        return _Worker(process, parent_end)


def _wait_step(running: list[_Running], timeout: float) -> list[tuple[int, JobOutcome]]:
    """Wait for messages or the nearest deadline; return the outcomes of the jobs that ended."""
    nearest = min(r.deadline for r in running)
    ready = wait([r.worker.conn for r in running],
                 timeout=max(0.0, nearest - time.monotonic()))
    ended = []
    for run in running:
        if run.worker.conn in ready:
            _receive(run)
        if not run.ended and time.monotonic() >= run.deadline:  # killed on release
            run.ended = True
            run.failure = Failure(run.job.label, run.job.notebook, TIMEOUT,
                                  f"gestopt na {timeout:g} s", run.cell, run.cell_source)
        if run.ended:
            ended.append(run)
    return [(run.index, _finish(run)) for run in ended]


def _receive(run: _Running) -> None:
    """Read what the worker sent; mark the run ended when it answered or died."""
    while not run.ended and run.worker.conn.poll():
        try:
            kind, payload = run.worker.conn.recv()
        except (EOFError, OSError):
            run.worker.process.join(_KILL_GRACE_S)
            run.ended = True
            run.failure = Failure(run.job.label, run.job.notebook, DEAD_WORKER,
                                  f"afsluitcode {run.worker.process.exitcode}", run.cell,
                                  run.cell_source)
        else:
            if kind == "cell":
                run.cell, run.cell_source = payload
            elif kind == "tijden":
                run.times = payload
            elif kind == "kernel":
                with contextlib.suppress(psutil.NoSuchProcess):
                    run.kernel = psutil.Process(payload)  # kill() checks it is still that one
            else:
                run.ended, run.answered, run.failure = True, True, payload


def _finish(run: _Running) -> JobOutcome:
    seconds = time.monotonic() - run.started
    if run.failure is not None:
        return JobOutcome(run.job, seconds, failure=run.failure)
    html, executed = _staged(run.job, run.staging)
    return JobOutcome(run.job, seconds, html, executed, None, *run.times)


def _kill_tree(worker: _Worker, kernel: psutil.Process | None = None) -> None:
    """Kill a worker, everything it started and its notebook's kernel (a fresh kernel runs in
    its own session, so a process-group kill would miss it; a warm one is the template's)."""
    victims = [kernel] if kernel is not None else []
    with contextlib.suppress(psutil.NoSuchProcess):
        root = psutil.Process(worker.process.pid)
        victims += root.children(recursive=True) + [root]
    for process in victims:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    # Dead is enough: an orphaned kernel is reaped by init, whenever.
    give_up = time.monotonic() + _KILL_GRACE_S
    while any(_running(p) for p in victims) and time.monotonic() < give_up:
        time.sleep(0.02)
    worker.process.join(_KILL_GRACE_S)
    worker.conn.close()


def _running(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _staged(job: NotebookJob, staging: Path) -> tuple[Path, Path]:
    return staging / f"{job.name}.html", staging / f"{job.name}.ipynb"


# -- the worker's side --------------------------------------------------------------------------

class _ReadyClient(AsyncKernelClient):
    """jupyter_client's client, without its wait for 0.2 s of silence after the kernel answers.

    That wait flushes IOPub messages from before the first request; nbclient matches every
    message to the request it answers, so stale ones are ignored anyway. Two tenths of a second
    per notebook is a minute at national scale.
    """

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            with contextlib.suppress(Empty):
                reply = await self.shell_channel.get_msg(timeout=1)
                if reply["msg_type"] == "kernel_info_reply":
                    # Any IOPub message (the kernel's busy/idle) shows that channel is up too.
                    with contextlib.suppress(Empty):
                        await self.iopub_channel.get_msg(timeout=0.2)
                        self._handle_kernel_info_reply(reply)
                        return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    # The public name is an alias bound to the base class's function, not a lookup: without
    # this line nbclient would still call jupyter_client's wait.
    wait_for_ready = _async_wait_for_ready


class _IpcKernelManager(AsyncKernelManager):
    """A kernel whose channels are Unix sockets in this worker's runtime directory (see above)."""

    client_factory = _ReadyClient

    async def _async_finish_shutdown(self, waittime: float | None = None,
                                     pollinterval: float = 0.1, restart: bool = False) -> None:
        # A kernel is gone milliseconds after its shutdown reply; polling every tenth of a
        # second left each notebook waiting for most of one.
        await super()._async_finish_shutdown(waittime, 0.01, restart)

    @default("transport")
    def _default_transport(self) -> str:
        return "tcp" if os.name == "nt" else "ipc"  # Windows has no ipc transport

    @default("connection_file")
    def _default_connection_file(self) -> str:
        from jupyter_core.paths import jupyter_runtime_dir

        runtime = Path(jupyter_runtime_dir())
        runtime.mkdir(parents=True, exist_ok=True)
        return str(runtime / f"k-{uuid.uuid4().hex[:12]}.json")

    # Set in a worker (a process of its own): the warm kernel template's address, if any, and
    # where to report each kernel's pid (the parent kills it with its worker on a time-out).
    kernel_server: str | None = None
    report_to: Connection | None = None

    @property
    def kernel_spec(self) -> KernelSpec:
        # Always this environment's Python: a user's own "python3" kernelspec (searched before
        # the environment's) may point to a Python without basisop.
        if self._kernel_spec is None:
            self._kernel_spec = KernelSpec(
                argv=[*_LAUNCHER, "-f", "{connection_file}", *KERNEL_OPTIONS],
                display_name="Python 3 (basisop)", language="python", resource_dir="")
        return self._kernel_spec

    async def _async_pre_start_kernel(self, **kw) -> tuple[list[str], dict]:
        if self.kernel_server and self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = _ForkProvisioner(kernel_id=self.kernel_id,
                                                kernel_spec=self.kernel_spec, parent=self,
                                                server=self.kernel_server)
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        # The kernel's own stdout/stderr (log lines such as "KeyboardInterrupt caught in
        # kernel" at shutdown, or a crash message) go to a log beside the connection file,
        # not over the progress lines; the notebook's outputs travel over the channels.
        log = open(Path(self.connection_file).with_suffix(".log"), "ab")  # noqa: SIM115
        kw.setdefault("stdout", log)
        kw.setdefault("stderr", log)
        try:
            await super()._async_launch_kernel(kernel_cmd, **kw)
        finally:
            log.close()  # the kernel holds its own copy of the descriptor
        if self.report_to and self.provisioner and self.provisioner.pid:
            self.report_to.send(("kernel", self.provisioner.pid))


_LAUNCHER = [sys.executable, "-m", "ipykernel_launcher"]


class _ForkProvisioner(LocalProvisioner):
    """jupyter_client's provisioner, with the kernel forked by the run's warm template
    (basisop/batch/kernels.py) instead of started as a new Python: same connection file, same
    arguments, environment and working folder; no process of its own in between."""

    server = Unicode()

    async def launch_kernel(self, cmd: list[str], **kwargs) -> dict:
        if cmd[:len(_LAUNCHER)] != _LAUNCHER:
            raise RuntimeError(f"geen ipykernel-opdracht: {cmd}")
        cwd = str(kwargs.get("cwd") or Path.cwd())
        self.process = ForkedKernel(self.server, cmd[len(_LAUNCHER):], cwd=cwd,
                                    env=kwargs["env"], stdout=kwargs["stdout"],
                                    stderr=kwargs["stderr"])
        # No process group of its own (it is in the template's): signals go to the kernel.
        self.pid, self.pgid, self.cwd = self.process.pid, None, cwd
        return self.connection_info


class _CellTracker:
    """Tells the parent which cell runs, in the numbering of the notebook as stored."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.injected = 0
        self.cell: int | None = None
        self.source = ""

    def on_cell_start(self, cell, cell_index: int) -> None:
        if _INJECTED_TAG in cell.metadata.get("tags", []):
            self.injected += 1
            self.cell, self.source = None, "geïnjecteerde parameters"
        else:
            self.cell = cell_index - self.injected
            self.source = _first_line(cell.source)
        self.conn.send(("cell", (self.cell, self.source)))

    def failure(self, job: NotebookJob, error: str, message: str) -> Failure:
        return Failure(job.label, job.notebook, error, message, self.cell, self.source)


@contextlib.contextmanager
def _no_unwanted_write():
    """papermill serialises and validates the executed notebook to save it even when there is
    no output path (as here: the worker writes its own two files): a tenth of a worker's time
    for nothing. Patched in the worker only, a process of its own for its notebooks."""
    write = papermill.execute.write_ipynb  # AttributeError: papermill changed; look again

    def write_if_wanted(nb, path) -> None:
        if path is not None:
            write(nb, path)

    papermill.execute.write_ipynb = write_if_wanted
    try:
        yield
    finally:
        papermill.execute.write_ipynb = write


def _first_line(source: str, width: int = 60) -> str:
    line = next((s.strip() for s in source.splitlines() if s.strip()), "")
    return line if len(line) <= width else line[:width - 1] + "…"


def _serve_jobs(conn: Connection, parent_end: Connection, staging: Path, env: dict[str, str],
                kernel_server: str | None) -> None:
    """In the worker: take jobs from the parent until it sends None or goes away."""
    parent_end.close()  # the parent's end of the pipe, inherited by the fork
    parent = os.getppid()
    _IpcKernelManager.kernel_server = kernel_server
    _IpcKernelManager.report_to = conn
    # Ctrl-C reaches the whole process group; the parent alone decides what stops (it kills
    # every worker and kernel), so a worker does not die mid-write with a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.update(env)
    # Log records of papermill and nbclient ("Kernel died while waiting for execute reply")
    # go to a file, not between the progress lines: the failure is reported by the parent.
    runtime = Path(env["JUPYTER_RUNTIME_DIR"])
    runtime.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(filename=runtime / "werker.log", level=logging.INFO, force=True)
    threading.Thread(target=_exit_without, args=(parent,), daemon=True).start()
    with _no_unwanted_write(), conn:
        while True:
            try:
                job = conn.recv()
            except EOFError:  # the parent is gone
                return
            if job is None:
                return
            conn.send(("klaar", _work(job, staging, conn)))


def _exit_without(parent: int) -> None:
    """A run killed outright (SIGKILL) cannot stop its workers, and its end of a worker's pipe
    stays open in the other workers: so the worker checks its parent, idle or mid-notebook.
    Its kernel follows: a warm one when this worker's connection closes, a fresh one by
    ipykernel's own check on its parent."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(1)


def _work(job: NotebookJob, staging: Path, conn: Connection) -> Failure | None:
    """Run, convert, stage one notebook; its failure, or None."""
    tracker = _CellTracker(conn)
    started = time.perf_counter()
    try:
        executed = papermill.execute_notebook(
            str(job.notebook), None, parameters=dict(job.parameters), kernel_name=KERNEL,
            progress_bar=False, log_output=False, request_save_on_cell_execute=False,
            kernel_manager_class=_IpcKernelManager, on_cell_start=tracker.on_cell_start,
            # the kernel's working directory, without papermill's process-wide chdir
            resources={"metadata": {"path": str(job.cwd or job.notebook.parent)}})
        ran = time.perf_counter()
        html_path, notebook_path = _staged(job, staging)
        html_path.write_text(circulation_html(executed, job.title), encoding="utf-8")
        notebook_path.write_text(audit_notebook(executed), encoding="utf-8")
        conn.send(("tijden", (ran - started, time.perf_counter() - ran)))
    except PapermillExecutionError as exc:
        return tracker.failure(job, exc.ename, _one_line(exc.evalue))
    except DeadKernelError:
        return tracker.failure(job, DEAD_KERNEL, "de kernel stopte onverwacht (crash, "
                                                 "os._exit of geheugentekort)")
    except Exception as exc:  # any other fault is this job's failure, reported, not raised
        return tracker.failure(job, type(exc).__name__, _one_line(str(exc)))
    return None


def _one_line(text: str, width: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 1] + "…"
