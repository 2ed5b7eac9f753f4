"""`zjcheck batch --scheduler …`: the batch on a Dask cluster (issue 20).

Units of work, all Dask tasks (placement, retries after a worker died and
the "this task killed too many workers" verdict are Dask's own):

- a probe per file not in the page cache (page count, encryption; Office
  documents are read whole), then a page task per page not in the cache,
  heaviest first (bytes per page, as the embedded pool orders them);
- once an applicant's pages are in, one check task: `pipeline.run` on a
  worker, from a private page cache filled with the pages read (nothing is
  read twice), rendering the reports; the client only writes them.

The client walks each applicant (file hashes: the page-cache keys and the
ledger's fingerprint), keeps at most `window` applicants in flight (so 10⁵
applicants stream through), writes the page cache with every page that
comes back, and yields each applicant's outcome to `zjcheck.batch`.

Files: workers read the evidence from the path the client sees (shared
storage mounted at the same path on every machine), except zip members and
with `--ship`, where the client scatters each file's bytes to the cluster.
With `--ship` the check runs on the client (it needs the whole package);
the OCR, the costly part, still runs on the cluster.

A page whose task killed workers `distributed.scheduler.allowed-failures`
times (KilledWorker) becomes a GEN001 finding for its page: its applicant
gets exit code 3 ("无法检查"), the batch goes on.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zjcheck import limits
from zjcheck.batch import Applicant, Outcome, Progress, failed_row, outcome
from zjcheck.cache import PageCache, default_dir
from zjcheck.model import PageText
from zjcheck.pipeline import Options
from zjcheck.read import FileTask, PageTask, Probe, SharedPool, Task, work

CHECK_PRIORITY = 10**15         # a finished applicant's check first: it frees its pages
PROBE_PRIORITY = 10**14         # then the probes that tell how many pages there are
KEY_PREFIX = "zjcheck-"         # task keys: zjcheck-probe-…, zjcheck-page-<sha16>-<page>-…, zjcheck-check-…


@dataclass(frozen=True)
class ClusterOptions:
    scheduler: str                # "local" or a scheduler address (tcp://host:8786)
    workers: int = 2              # --scheduler local: worker processes (one thread each)
    ship: bool = False            # send file bytes to the workers instead of a shared path
    window: int = 0               # applicants in flight (0: 2 per worker thread, at least 4)
    shared_cache: Path | None = None   # also read and write the page cache here (other clients' pages)


# ---------------------------------------------------------------- worker side

def _lift_budget() -> None:
    """End the CPU budget a read task set (limits.start_budget) in this
    long-lived worker: it must not fall on the next task (a check)."""
    try:
        import resource
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass


def read_task(task: Task, data: bytes | None = None) -> tuple[Task, object, bool]:
    """Probe a file or read a page on a worker (zjcheck.read.work: bounded by
    the CPU budget of zjcheck.limits, past which the kernel ends the worker and
    Dask retries elsewhere; never raises).  `data`: the file's bytes when the
    worker cannot see the file."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        if data is None:
            return work(task)
        with tempfile.TemporaryDirectory(prefix="zjcheck-ship-") as d:
            local = os.path.join(d, "file" + Path(task.path).suffix[:8])
            with open(local, "wb") as f:
                f.write(data)
            _, res, ocr = work(dataclasses.replace(task, path=local))
            return task, res, ocr
    finally:
        _lift_budget()


class _Inline:
    """An executor that runs each task as it is submitted, in this process:
    a check task on a Dask worker reads what is left (files the client left to
    it) here, never in child processes of a daemonic worker."""

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        fut: Future[Any] = Future()
        try:
            fut.set_result(fn(*args))
        except BaseException as e:  # noqa: BLE001 - the future carries it
            fut.set_exception(e)
        return fut

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


class InlinePool(SharedPool):
    def __init__(self) -> None:
        super().__init__(1)
        self._pool = _Inline()        # type: ignore[assignment]

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass
class Counts:
    cached: int = 0        # pages the client found in the page cache
    ocr: int = 0           # pages OCR'd by page tasks
    given: int = 0         # pages (not Office) handed to the check in its private cache


def check_task(a: Applicant, opts: Options, texts: dict[str, list[dict[str, Any]]], cache_key: str,
               counts: Counts, inline: bool = True) -> Outcome:
    """One applicant's check (pipeline.run) with the pages already read: they
    are put into a private page cache, so the run reads nothing again but the
    files left to it (see Driver.probed).  `inline`: read those in this
    process (a Dask worker); otherwise (the client, --ship) in worker
    processes, as `zjcheck check` does."""
    from zjcheck.pipeline import run
    os.environ["OMP_THREAD_LIMIT"] = "1"
    _lift_budget()
    t = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="zjcheck-check-") as d:
        cache = PageCache(Path(d), cache_key)
        for sha, pages in texts.items():
            PageCache._write(cache._path(sha), {"pages": pages})
        mine = dataclasses.replace(opts, cache=True, cache_dir=Path(d), jobs=1)
        path = a.path if a.path.is_absolute() else a.path.resolve()
        try:
            result = run(path, mine, pool=InlinePool() if inline else None)
        finally:
            _lift_budget()          # files left to the check were read here, under a budget
    result.root = str(a.path)
    s = result.stats
    s["pages_ocr"] = s.get("pages_ocr", 0) + counts.ocr
    s["pages_cached"] = s.get("pages_cached", 0) - counts.given + counts.cached
    return outcome(a, result, time.monotonic() - t)


# ---------------------------------------------------------------- client side

def connect(copts: ClusterOptions) -> tuple[Any, Any]:
    """(client, cluster we started or None).  A LocalCluster listens on
    loopback only; its workers are processes with one thread each."""
    from distributed import Client, LocalCluster
    if copts.scheduler == "local":
        # loopback only, the dashboard too (a free port; it has pages only when bokeh is installed)
        cluster = LocalCluster(n_workers=max(1, copts.workers), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=50)
        return Client(cluster), cluster
    return Client(copts.scheduler, timeout="15s"), None


def cache_key_for(files: list[Any], opts: Options) -> str:
    """The page-cache key `pipeline.read_stage` uses for these files (kept in step with it)."""
    from zjcheck.ocr import get_engine, resolve
    engine = resolve(opts.engine)
    key = f"{engine}|{opts.dpi}"
    if any(f.kind not in ("docx", "xlsx") for f in files):
        key += "|" + get_engine(engine).settings_key()
    return key


class Caches:
    """The client's page cache and, optionally, a shared one (another
    client's pages count): read from either, written to both."""

    def __init__(self, own: PageCache, shared: PageCache | None) -> None:
        self.own, self.shared = own, shared

    def get(self, sha256: str) -> list[PageText] | None:
        got = self.own.get(sha256)
        if self.shared is not None:
            if got is None:
                got = self.shared.get(sha256)
                if got is not None:
                    self.own.put(sha256, got)
            elif self.shared.get(sha256) is None:
                self.shared.put(sha256, got)
        return got

    def get_page(self, sha256: str, index: int) -> PageText | None:
        got = self.own.get_page(sha256, index)
        if got is None and self.shared is not None:
            got = self.shared.get_page(sha256, index)
        return got

    def put_page(self, sha256: str, index: int, page: PageText) -> None:
        for c in (self.own, self.shared):
            if c is not None:
                c.put_page(sha256, index, page)

    def put(self, sha256: str, pages: list[PageText]) -> None:
        for c in (self.own, self.shared):
            if c is not None:
                c.put(sha256, pages)


@dataclass
class _App:
    a: Applicant
    fp: str | None
    files: list[Any]
    cache: Caches
    cache_key: str
    t0: float
    texts: dict[int, list[PageText | None]] = field(default_factory=dict)
    given: set[int] = field(default_factory=set)       # files whose texts go to the check
    office: set[int] = field(default_factory=set)
    pending: int = 0
    budget: int = limits.PACKAGE_PAGES
    counts: Counts = field(default_factory=Counts)
    data: dict[str, Any] = field(default_factory=dict)  # sha256 -> the file's bytes scattered to the cluster


def _crashed(exc: BaseException) -> str:
    return limits.crashed(f"集群中读取它的工作进程多次退出：{type(exc).__name__}")


class Driver:
    """The client's loop: admit applicants, submit their tasks, collect."""

    def __init__(self, client: Any, opts: Options, copts: ClusterOptions, progress: Progress,
                 known: Callable[..., tuple[str | None, Outcome | None]]) -> None:
        from zjcheck.ocr import resolve
        self.client, self.copts, self.progress, self.known = client, copts, progress, known
        self.opts = dataclasses.replace(opts, engine=resolve(opts.engine))
        self.cache_dir = (opts.cache_dir or default_dir()) if opts.cache else None
        self.meta: dict[str, tuple[str, _App, int]] = {}
        self.pages_done = 0
        self.pages_total = 0
        self.apps_done = 0
        self.fresh_done = 0
        self.t0 = time.monotonic()
        self.last_note = 0.0
        self.workers = 0

    # -- submitting
    def _submit(self, fn: Callable[..., Any], *args: Any, kind: str, app: _App, index: int, key: str,
                priority: int) -> Any:
        fut = self.client.submit(fn, *args, key=f"{KEY_PREFIX}{key}-{uuid.uuid4().hex[:12]}", priority=priority,
                                 pure=False, retries=0)
        self.meta[fut.key] = (kind, app, index)
        self.ac.add(fut)
        return fut

    def _data(self, app: _App, f: Any) -> Any:
        """None when workers read the file from its path; otherwise its bytes,
        scattered once per applicant and released when its pages are in."""
        if not self.copts.ship and f.path is not None and getattr(f, "archive", None) is None and f.data is None:
            return None
        if f.sha256 not in app.data:
            app.data[f.sha256] = self.client.scatter(f.read_bytes(), hash=False)
        return app.data[f.sha256]

    def _where(self, f: Any) -> str:
        return str(Path(f.path).resolve()) if f.path is not None else f.rel

    def start(self, a: Applicant) -> _App | Outcome | tuple[str | None, Outcome]:
        from zjcheck.walk import walk
        t = time.monotonic()
        try:
            walked = walk(a.path) if a.path.exists() else None
        except Exception as e:  # noqa: BLE001 - as the embedded batch: the applicant's row says it
            return Outcome(failed_row(a, e, time.monotonic() - t))
        fp, old = self.known(a, walked)
        if old is not None:
            return fp, old
        files = list(walked.files) if walked is not None else []
        key = cache_key_for(files, self.opts)
        shared = PageCache(self.copts.shared_cache, key) if self.copts.shared_cache is not None else None
        app = _App(a, fp, files, Caches(PageCache(self.cache_dir, key), shared), key, t)
        for i, f in enumerate(files):
            got = app.cache.get(f.sha256)
            if got is not None:
                app.texts[i] = list(got)
                app.given.add(i)
                if f.kind in ("docx", "xlsx"):
                    app.office.add(i)
                else:
                    app.counts.cached += len(got)
                    app.budget -= len(got)
                continue
            try:
                data = self._data(app, f)
            except OSError:
                continue                 # changed or unreadable: the check reports it
            self._submit(read_task, FileTask(i, self._where(f), f.kind), data, kind="probe", app=app, index=i,
                         key=f"probe-{f.sha256[:16]}", priority=PROBE_PRIORITY)
            app.pending += 1
        return app

    def probed(self, app: _App, i: int, probe: Probe | None, exc: BaseException | None = None) -> None:
        f = app.files[i]
        if probe is None:                 # it killed workers: the file's finding, not read again by the check
            app.texts[i] = [PageText("", "none", error=f"GEN001 {_crashed(exc or RuntimeError())}")]
            app.given.add(i)
            return
        if probe.problem or probe.partial:
            return                        # the check reads such a file itself, with its findings
        if probe.texts is not None:
            app.texts[i] = list(probe.texts)
            app.given.add(i)
            app.office.add(i)
            app.cache.put(f.sha256, probe.texts)
            return
        n = probe.pages
        if n > app.budget:
            return                        # over the package's page limit: the check cuts it (GEN010)
        app.budget -= n
        pts = [app.cache.get_page(f.sha256, j) for j in range(n)]
        app.counts.cached += sum(1 for p in pts if p is not None)
        app.texts[i] = pts
        app.given.add(i)
        weight = int(f.size / max(n, 1))
        data = self._data(app, f) if any(p is None for p in pts) else None
        for j, p in enumerate(pts):
            if p is None:
                task = PageTask((i, j), self._where(f), "pdf" if f.kind == "pdf" else f.kind, j, self.opts.dpi,
                                self.opts.engine)
                self._submit(read_task, task, data, kind="page", app=app, index=i * 1_000_000 + j,
                             key=f"page-{f.sha256[:16]}-{j}", priority=weight)
                app.pending += 1
                self.pages_total += 1

    def paged(self, app: _App, i: int, j: int, pt: PageText, ocr: bool) -> None:
        app.texts[i][j] = pt
        app.counts.ocr += ocr
        if not pt.error:
            app.cache.put_page(app.files[i].sha256, j, pt)     # a client killed now keeps this page
        self.pages_done += 1
        self.progress.pages(self.pages_done, self.pages_total)

    def ready(self, app: _App) -> Outcome | None:
        """All pages in: the check (on the cluster; on the client with --ship)."""
        for fut in app.data.values():
            fut.release()
        app.data.clear()
        texts: dict[str, list[dict[str, Any]]] = {}
        for i in sorted(app.given):
            f, pts = app.files[i], app.texts[i]
            full = [p if p is not None else PageText("", "none", error="GEN001 未读取") for p in pts]
            texts[f.sha256] = [p.to_json() for p in full]
            if i not in app.office:
                app.counts.given += len(full)
                if not any(p.error for p in full):
                    app.cache.put(f.sha256, full)
        if self.copts.ship:
            try:
                return check_task(app.a, self.opts, texts, app.cache_key, app.counts, inline=False)
            except Exception as e:  # noqa: BLE001
                return Outcome(failed_row(app.a, e, time.monotonic() - app.t0))
        self._submit(check_task, app.a, self.opts, texts, app.cache_key, app.counts, kind="check", app=app,
                     index=0, key="check", priority=CHECK_PRIORITY)
        return None

    # -- the loop
    def run(self, apps: list[Applicant]) -> Iterator[tuple[Applicant, str | None, Outcome, bool]]:
        from distributed import as_completed
        self.ac = as_completed([], with_results=False)
        queue = iter(apps)
        inflight = 0
        window = self.copts.window or max(4, 2 * max(1, self._threads()))
        total = len(apps)
        exhausted = False
        while True:
            while not exhausted and inflight < window:
                a = next(queue, None)
                if a is None:
                    exhausted = True
                    break
                self.progress.applicant(a)
                got = self.start(a)
                if isinstance(got, Outcome):
                    yield a, None, got, True
                    self._count(total)
                elif isinstance(got, tuple):
                    yield a, got[0], got[1], False
                    self._count(total, fresh=False)
                else:
                    inflight += 1
                    if got.pending == 0:
                        oc = self.ready(got)
                        if oc is not None:
                            inflight -= 1
                            yield a, got.fp, oc, True
                            self._count(total)
            if inflight == 0 and exhausted:
                return
            fut = next(self.ac)
            kind, app, index = self.meta.pop(fut.key)
            exc: BaseException | None = None
            try:
                res = fut.result()
            except BaseException as e:  # noqa: BLE001 - KilledWorker, a lost or cancelled task
                if isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit)):
                    raise
                exc, res = e, None
            fut.release()
            if kind == "check":
                inflight -= 1
                oc = res if exc is None else Outcome(failed_row(app.a, exc, time.monotonic() - app.t0))
                yield app.a, app.fp, oc, True
                self._count(total)
                continue
            if kind == "probe":
                self.probed(app, index, res[1] if exc is None else None, exc)
            else:
                i, j = divmod(index, 1_000_000)
                if exc is None:
                    self.paged(app, i, j, res[1], res[2])
                else:
                    self.paged(app, i, j, PageText("", "none", error=f"GEN001 {_crashed(exc)}"), False)
            app.pending -= 1
            if app.pending == 0:
                oc = self.ready(app)
                if oc is not None:
                    inflight -= 1
                    yield app.a, app.fp, oc, True
                    self._count(total)
            self._note(total)

    def _threads(self) -> int:
        try:
            return sum(self.client.nthreads().values())
        except Exception:  # noqa: BLE001
            return 1

    def _count(self, total: int, fresh: bool = True) -> None:
        self.apps_done += 1
        self.fresh_done += fresh
        self._note(total, force=True)

    def _note(self, total: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_note < 2:
            return
        if now - self.last_note >= 5 or not self.workers:
            self.workers = len(self.client.nthreads()) if self.client.status == "running" else 0
        self.last_note = now
        spent = now - self.t0
        rate = self.pages_done / spent if spent > 0 else 0.0
        left = total - self.apps_done
        eta = f"{spent / self.fresh_done * left / 60:.0f} 分钟" if self.fresh_done and left else "—"
        self.progress.note(f"申报人 {self.apps_done}/{total}，{rate:.2f} 页/秒，预计剩余 {eta}，工作进程 {self.workers} 个")


def run_on_cluster(apps: list[Applicant], opts: Options, copts: ClusterOptions, progress: Progress,
                   known: Callable[..., tuple[str | None, Outcome | None]]
                   ) -> Iterator[tuple[Applicant, str | None, Outcome, bool]]:
    """(applicant, fingerprint, outcome, whether it was checked now) for every applicant."""
    from zjcheck.errors import UsageError
    if copts.shared_cache is not None:
        where = copts.shared_cache.resolve()
        for a in apps:
            if where.is_relative_to(a.path.resolve()) or where == a.path.resolve():
                raise UsageError(f"共享缓存目录 {copts.shared_cache} 位于材料目录 {a.path} 之内：zjcheck 不向材料目录写入任何文件")
    try:
        client, cluster = connect(copts)
    except (OSError, TimeoutError, ValueError) as e:
        raise UsageError(f"无法连接 Dask 调度器 {copts.scheduler}：{e}") from None
    try:
        try:
            link = client.dashboard_link if importlib.util.find_spec("bokeh") else None
        except Exception:  # noqa: BLE001
            link = None
        progress.note(f"Dask 调度器 {client.scheduler.address}" + (f"，监控面板 {link}" if link else ""), lasting=True)
        progress.cumulative = True
        yield from Driver(client, opts, copts, progress, known).run(apps)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
