// hanrag web app: upload, documents, grounded Korean Q&A over the HTTP API (docs/http-api.md).
// Every document-derived string reaches the DOM through textContent / text nodes, never HTML.
"use strict";

const STORE = { key: "hanrag.apiKey", settings: "hanrag.settings", history: "hanrag.history" };
const POLL_MS = 700;
const HISTORY_MAX = 50;       // questions kept in this browser
const HISTORY_TURNS = 50;     // the most turns POST /ask accepts as history
const ACTIVE_JOB = new Set(["queued", "running"]);
const CITE_MARKER = /\[(\d+(?:\s*[,，]\s*\d+)*)\]/g;

const JOB_STATUS = { queued: "대기", running: "처리 중", done: "완료", failed: "실패" };
const FILE_STATUS = { queued: "대기", done: "완료", skipped: "변경 없음", failed: "실패" };
const STAGES = {
  uploading: "올리는 중", queued: "차례를 기다리는 중", reading: "파일 읽는 중", analysing: "분석 중",
  embedding: "임베딩 중", committing: "색인에 저장 중", done: "완료",
};

const state = {
  config: null,
  jobs: new Map(),     // job_id -> last job object seen
  polling: new Set(),  // job ids with a poll loop running
  turns: [],           // finished turns of this conversation, sent as `history`
  asking: null,        // AbortController of the /ask in flight
  keyDeclined: false,  // the key prompt was cancelled: no new prompts until asked for
};

const $ = (id) => document.getElementById(id);
const enc = encodeURIComponent;

// ---------- storage ----------

function load(key, fallback) {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

function save(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or disabled: the page still works for this visit */
  }
}

// ---------- DOM ----------

// el("a", {href, class, text, onclick, "aria-label": …}, ...children); strings become text nodes.
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

function showMessage(node, message) {
  node.textContent = message || "";
  node.hidden = !message;
}

function formatTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString("ko-KR", { dateStyle: "medium", timeStyle: "short" });
}

function formatScore(value) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return "–";
  const n = Number(value);
  return Math.abs(n) >= 10 ? n.toFixed(2) : n.toFixed(3);
}

function docName(item) {
  if (item.name) return item.name;
  const source = String(item.source || "");
  return source.split(/[\\/]/).pop() || source || "(이름 없음)";
}

// ---------- API ----------

class ApiError extends Error {
  constructor(message, status, hits = []) {
    super(message);
    this.status = status;
    this.hits = hits;
  }
}

function authHeaders(headers = {}) {
  const key = load(STORE.key, "");
  return key ? { ...headers, Authorization: `Bearer ${key}` } : { ...headers };
}

// fetch() with the stored key; on 401 asks for a key and tries again.
async function api(path, options = {}) {
  for (;;) {
    const response = await fetch(path, { ...options, headers: authHeaders(options.headers) });
    if (response.status !== 401) return response;
    const { message } = await readError(response);
    if (state.keyDeclined) throw new ApiError(`API 키가 필요합니다 (${message})`, 401);
    await promptForKey(message);
  }
}

// The API's {"error": "..."} body (plus hits, if any), or the status line.
async function readError(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    /* not JSON */
  }
  const message = body && body.error ? String(body.error) : `${response.status} ${response.statusText}`.trim();
  return { message, hits: (body && Array.isArray(body.hits)) ? body.hits : [] };
}

async function apiJson(path, options) {
  const response = await api(path, options);
  if (!response.ok) {
    const { message, hits } = await readError(response);
    throw new ApiError(message, response.status, hits);
  }
  return response.status === 204 ? null : response.json();
}

// ---------- API key ----------

let keyPrompt = null;  // one prompt shared by every request that got a 401

function promptForKey(reason) {
  if (keyPrompt) return keyPrompt;
  keyPrompt = new Promise((resolve, reject) => {
    const dialog = $("key-dialog");
    $("key-reason").textContent = "이 서버는 API 키를 요구합니다. 키는 이 브라우저에만 저장됩니다."
      + (reason ? ` (${reason})` : "");
    $("key-input").value = "";
    dialog.returnValue = "";
    dialog.addEventListener("close", () => {
      keyPrompt = null;
      const key = $("key-input").value.trim();
      if (dialog.returnValue === "save" && key) {
        save(STORE.key, key);
        state.keyDeclined = false;
        resolve();
      } else {
        state.keyDeclined = true;
        reject(new ApiError("API 키가 없어 요청하지 못했습니다.", 401));
      }
      updateKeyButton();
    }, { once: true });
    dialog.showModal();
  });
  return keyPrompt;
}

function updateKeyButton() {
  $("key-button").hidden = !load(STORE.key, "") && !state.keyDeclined;
}

function forgetKey() {
  localStorage.removeItem(STORE.key);
  updateKeyButton();
  $("key-dialog").close("forget");
}

async function changeKey() {
  state.keyDeclined = false;
  try {
    await promptForKey("");
    await loadAll();
  } catch {
    /* cancelled */
  }
}

// ---------- originals ----------

function fileUrl(docId, page) {
  return `documents/${enc(docId)}/file` + (page ? `#page=${page}` : "");
}

function originalLink(docId, page, label, className) {
  return el("a", {
    href: fileUrl(docId, page), target: "_blank", rel: "noopener", class: className,
    onclick: (event) => openWithKey(event, docId, page),
  }, label);
}

// A plain link cannot send the Authorization header: with a key, fetch the file and open a blob URL.
async function openWithKey(event, docId, page) {
  if (!load(STORE.key, "")) return;
  event.preventDefault();
  const win = window.open("", "_blank");  // opened now, inside the click, so it is not blocked
  try {
    const response = await api(fileUrl(docId, null));
    if (!response.ok) throw new ApiError((await readError(response)).message, response.status);
    const url = URL.createObjectURL(await response.blob());
    const target = url + (page ? `#page=${page}` : "");
    if (win) win.location.href = target;
    else window.open(target, "_blank");
    setTimeout(() => URL.revokeObjectURL(url), 120_000);
  } catch (err) {
    if (win) win.close();
    showMessage($("app-error"), `원문을 열지 못했습니다: ${err.message}`);
  }
}

// ---------- config and settings ----------

async function loadConfig() {
  const config = await apiJson("config");
  state.config = config;
  $("index-name").textContent = config.index ? `색인: ${config.index}` : "";
  const formats = config.formats || [];
  $("formats").textContent = formats.length ? `지원 형식: ${formats.join(", ")}` : "";
  $("file-input").accept = formats.join(",");
  if (config.limits && config.limits.max_query_chars) $("question").maxLength = config.limits.max_query_chars;
  fillLlmOptions(config);
  setupRerank(config);
  writeSettingsForm({ ...defaultSettings(), ...load(STORE.settings, {}) });
}

function fillLlmOptions(config) {
  const llms = [...new Set([config.llm, ...(config.llms || [])].filter(Boolean))];
  $("settings-form").elements.llm.replaceChildren(...llms.map((spec) => el("option", { value: spec }, spec)));
}

function hasReranker() {
  const spec = state.config && state.config.reranker;
  return Boolean(spec) && spec !== "none";
}

function setupRerank(config) {
  const box = $("settings-form").elements.rerank;
  box.disabled = !hasReranker();
  $("rerank-hint").textContent = hasReranker() ? config.reranker : "서버에 재순위 모델이 설정되지 않았습니다";
}

function defaultSettings() {
  const r = (state.config && state.config.retrieval) || {};
  const weights = r.weights || {};
  return {
    mode: r.mode || "hybrid",
    fusion: r.fusion || "cc",
    weights: { bm25: weights.bm25 ?? 0.7, dense: weights.dense ?? 0.3 },
    top_k: r.top_k || 5,
    rerank: hasReranker(),
    llm: (state.config && state.config.llm) || "",
  };
}

function readSettingsForm() {
  const f = $("settings-form").elements;
  const defaults = defaultSettings();
  const number = (input, fallback) => (Number.isFinite(parseFloat(input.value)) ? parseFloat(input.value) : fallback);
  return {
    mode: f.mode.value,
    fusion: f.fusion.value,
    weights: {
      bm25: number(f.weight_bm25, defaults.weights.bm25),
      dense: number(f.weight_dense, defaults.weights.dense),
    },
    top_k: Math.max(1, Math.round(number(f.top_k, defaults.top_k))),
    rerank: f.rerank.checked && !f.rerank.disabled,
    llm: f.llm.value,
  };
}

function writeSettingsForm(settings) {
  const f = $("settings-form").elements;
  const defaults = defaultSettings();
  f.mode.value = settings.mode;
  f.fusion.value = settings.fusion;
  f.weight_bm25.value = settings.weights.bm25;
  f.weight_dense.value = settings.weights.dense;
  f.top_k.value = settings.top_k;
  f.rerank.checked = settings.rerank && hasReranker();
  f.llm.value = settings.llm;
  if (f.llm.value !== settings.llm) f.llm.value = defaults.llm;  // a stored LLM the server no longer offers
  if (!f.mode.value) f.mode.value = defaults.mode;
  if (!f.fusion.value) f.fusion.value = defaults.fusion;
  updateHybridFields();
}

// Fusion and weights only matter when both retrievers run.
function updateHybridFields() {
  const f = $("settings-form").elements;
  const hybrid = f.mode.value === "hybrid";
  for (const input of [f.fusion, f.weight_bm25, f.weight_dense]) input.disabled = !hybrid;
}

// Only the values that differ from the server's defaults are kept.
function saveSettings() {
  updateHybridFields();
  const current = readSettingsForm();
  const defaults = defaultSettings();
  const overrides = {};
  for (const [name, value] of Object.entries(current)) {
    if (JSON.stringify(value) !== JSON.stringify(defaults[name])) overrides[name] = value;
  }
  save(STORE.settings, overrides);
}

function resetSettings() {
  localStorage.removeItem(STORE.settings);
  writeSettingsForm(defaultSettings());
}

// ---------- documents ----------

async function refreshDocuments() {
  try {
    renderDocuments(await apiJson("documents"));
    showMessage($("docs-error"), "");
  } catch (err) {
    showMessage($("docs-error"), `문서 목록을 읽지 못했습니다: ${err.message}`);
  }
}

function renderDocuments(docs) {
  $("docs").replaceChildren(...docs.map(documentItem));
  $("docs-empty").hidden = docs.length > 0;
  $("doc-count").textContent = docs.length ? String(docs.length) : "";
}

function documentItem(doc) {
  const name = docName(doc);
  const meta = [
    doc.type ? String(doc.type).replace(/^\./, "").toUpperCase() : null,
    doc.pages ? `${doc.pages}쪽` : null,
    `청크 ${doc.chunks ?? 0}개`,
    formatTime(doc.modified),
  ].filter(Boolean).join(" · ");
  return el("li", { class: "doc", "data-doc-id": doc.doc_id },
    el("div", { class: "doc-main" },
      originalLink(doc.doc_id, null, name, "doc-name"),
      el("span", { class: "doc-meta", text: meta })),
    el("button", {
      type: "button", class: "btn btn-quiet btn-small btn-danger", "aria-label": `${name} 삭제`,
      onclick: (event) => deleteDocument(doc.doc_id, name, event.currentTarget),
    }, "삭제"));
}

async function deleteDocument(docId, name, button) {
  if (!window.confirm(`“${name}” 문서를 색인에서 지울까요?`)) return;
  button.disabled = true;
  button.textContent = "지우는 중…";
  try {
    const response = await api(`documents/${enc(docId)}`, { method: "DELETE" });
    if (response.status === 202) await waitForRemoval((await response.json()).job_id);  // a slow removal
    else if (!response.ok) throw new ApiError((await readError(response)).message, response.status);
    showMessage($("docs-error"), "");
  } catch (err) {
    showMessage($("docs-error"), `“${name}” 문서를 지우지 못했습니다: ${err.message}`);
  }
  await refreshDocuments();
}

async function waitForRemoval(jobId) {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const job = await apiJson(`jobs/${enc(jobId)}`);
    if (ACTIVE_JOB.has(job.status)) continue;
    if (job.status === "failed") throw new ApiError(jobLevelErrors(job).join(" ") || "삭제 작업이 실패했습니다", 500);
    return;
  }
}

// ---------- upload and jobs ----------

async function uploadFiles(fileList) {
  const files = Array.from(fileList || []);
  if (!files.length) return;
  const form = new FormData();
  for (const file of files) form.append("files", file, file.name);
  showMessage($("upload-error"), "");
  const pending = uploadingJob(files);
  showJob(pending);
  try {
    const { job_id: jobId } = await apiJson("documents", { method: "POST", body: form });
    showJob({ ...pending, job_id: jobId, status: "queued", stage: "queued" }, pending.job_id);
    pollJob(jobId);
  } catch (err) {
    removeJobItem(pending.job_id);
    showMessage($("upload-error"), `올리지 못했습니다: ${err.message}`);
  } finally {
    $("file-input").value = "";
  }
}

// A stand-in shown while the files travel; replaced by the server's job.
function uploadingJob(files) {
  return {
    job_id: `upload-${Date.now()}`, status: "running", stage: "uploading", progress: 0,
    files: files.map((f) => ({ name: f.name, status: "queued", error: null })),
    done: 0, total: files.length, errors: [],
  };
}

async function loadJobs() {
  const jobs = await apiJson("jobs");
  for (const job of [...jobs].reverse()) {  // newest first from the API; prepend oldest first
    showJob(job);
    if (ACTIVE_JOB.has(job.status)) pollJob(job.job_id);
  }
}

function pollJob(jobId) {
  if (state.polling.has(jobId)) return;
  state.polling.add(jobId);
  const tick = async () => {
    try {
      const job = await apiJson(`jobs/${enc(jobId)}`);
      showJob(job);
      if (ACTIVE_JOB.has(job.status)) return void setTimeout(tick, POLL_MS);
      state.polling.delete(jobId);
      await refreshDocuments();
    } catch (err) {
      if (err.status === 404) {
        state.polling.delete(jobId);
        removeJobItem(jobId);
      } else {
        setTimeout(tick, POLL_MS * 3);  // server busy or restarting: keep trying, slower
      }
    }
  };
  setTimeout(tick, POLL_MS);
}

function jobElement(jobId) {
  return Array.from($("jobs").children).find((li) => li.dataset.jobId === jobId);
}

// Replaces the job's row (or `replaces`' row) in place, so other rows keep their focus.
function showJob(job, replaces) {
  const old = jobElement(replaces || job.job_id);
  if (replaces) state.jobs.delete(replaces);
  state.jobs.set(job.job_id, job);
  const row = jobItem(job);
  if (old) old.replaceWith(row);
  else $("jobs").prepend(row);
}

function removeJobItem(jobId) {
  state.jobs.delete(jobId);
  const row = jobElement(jobId);
  if (row) row.remove();
}

function jobItem(job) {
  const files = job.files || [];
  const title = files.length === 1 ? files[0].name : `파일 ${job.total ?? files.length}개`;
  const active = ACTIVE_JOB.has(job.status);
  return el("li", { class: "job", "data-job-id": job.job_id, "data-status": job.status },
    el("div", { class: "job-head" },
      el("span", { class: "job-title", text: title }),
      el("span", { class: `badge badge-${job.status}`, text: JOB_STATUS[job.status] || job.status })),
    active || job.status === "done" ? jobProgress(job) : null,
    showFiles(job) ? el("ul", { class: "job-files" }, ...files.map(fileItem)) : null,
    ...jobLevelErrors(job).map((e) => el("p", { class: "file-error", text: e })),
    ...(job.warnings || []).map((w) => el("p", { class: "file-warning", text: labelled(w.source, w.warning) })),
    active ? null : el("button", {
      type: "button", class: "btn btn-quiet btn-small job-remove", "aria-label": `${title} 작업을 목록에서 지우기`,
      onclick: () => forgetJob(job.job_id),
    }, "목록에서 지우기"));
}

// One file without an error is already named by the job's title and badge.
function showFiles(job) {
  const files = job.files || [];
  return files.length > 1 || files.some((f) => f.error);
}

function jobProgress(job) {
  const progress = Math.max(0, Math.min(1, Number(job.progress) || 0));
  const label = `${STAGES[job.stage] || job.stage || ""} · ${job.done ?? 0}/${job.total ?? 0}`;
  const left = job.eta_s == null ? "" : ` · 약 ${formatSeconds(job.eta_s)} 남음`;
  return el("div", { class: "job-progress" },
    el("progress", { max: "1", value: String(progress), "aria-label": "진행률" }),
    el("span", { class: "job-stage", text: `${label} · ${Math.round(progress * 100)}%${left}` }));
}

function formatSeconds(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  return s >= 60 ? `${Math.floor(s / 60)}분 ${s % 60}초` : `${s}초`;
}

function fileItem(file) {
  return el("li", { class: "job-file", "data-status": file.status },
    el("span", { class: "job-file-name", text: file.name }),
    el("span", { class: `badge badge-${file.status}`, text: FILE_STATUS[file.status] || file.status }),
    file.error ? el("span", { class: "file-error", text: file.error }) : null);
}

// Errors the per-file rows do not already show (e.g. the whole batch failed).
function jobLevelErrors(job) {
  const shown = new Set((job.files || []).filter((f) => f.error).map((f) => f.error));
  return (job.errors || []).map((e) => labelled(e.source, e.error))
    .filter((text, i) => !shown.has(job.errors[i].error));
}

function labelled(source, message) {
  return source ? `${source}: ${message}` : message;
}

async function forgetJob(jobId) {
  try {
    await apiJson(`jobs/${enc(jobId)}`, { method: "DELETE" });
  } catch (err) {
    if (err.status !== 404) {
      showMessage($("upload-error"), `작업을 지우지 못했습니다: ${err.message}`);
      return;
    }
  }
  removeJobItem(jobId);
}

// ---------- asking ----------

async function ask(question) {
  question = question.trim();
  if (!question || state.asking) return;
  addToHistory(question);
  $("conversation-empty").hidden = true;
  const turn = new Turn(question);
  const controller = new AbortController();
  state.asking = controller;
  setAsking(true);
  try {
    const response = await api("ask", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify(askBody(question)),
      signal: controller.signal,
    });
    await readAnswer(response, turn);
  } catch (err) {
    if (err.name === "AbortError") turn.stop();
    else turn.fail(err.message, err.status || 0, err.hits && err.hits.length ? err.hits : turn.hits);
  } finally {
    if (state.asking === controller) {
      state.asking = null;
      setAsking(false);
    }
  }
  if (turn.state === "done" || turn.state === "refused") {
    state.turns.push({ question, answer: turn.answerText });
  }
}

function askBody(question) {
  const s = readSettingsForm();
  const body = {
    question, stream: true,
    history: state.turns.slice(-HISTORY_TURNS).map((t) => ({ question: t.question, answer: t.answer })),
    mode: s.mode, top_k: s.top_k, rerank: s.rerank,
  };
  if (s.mode === "hybrid") Object.assign(body, { fusion: s.fusion, weights: s.weights });
  if (s.llm) body.llm = s.llm;
  return body;
}

async function readAnswer(response, turn) {
  if (!response.ok) {
    const { message, hits } = await readError(response);
    return turn.fail(message, response.status, hits);
  }
  const type = response.headers.get("Content-Type") || "";
  if (!type.includes("text/event-stream")) return turn.finish(await response.json());
  await readEvents(response.body, (name, data) => handleEvent(turn, name, data));
  if (turn.state === "streaming") turn.fail("응답이 중간에 끊겼습니다.", 0, turn.hits);
}

// Server-sent events from a fetch() body: "event:" / "data:" lines, a blank line ends an event.
async function readEvents(body, onEvent) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = sseParser(onEvent);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parser.push(decoder.decode(value, { stream: true }));
  }
  parser.push(decoder.decode());
  parser.end();
}

function sseParser(onEvent) {
  let buffer = "";
  let event = "";
  let data = [];
  const line = (text) => {
    if (text === "") {
      if (data.length) onEvent(event || "message", data.join("\n"));
      event = "";
      data = [];
      return;
    }
    if (text.startsWith(":")) return;  // comment / keep-alive
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  };
  return {
    push(chunk) {
      buffer += chunk;
      // A trailing "\r" may be half of a "\r\n" split across chunks: keep it for the next one.
      const cut = buffer.endsWith("\r") ? buffer.length - 1 : buffer.length;
      const lines = buffer.slice(0, cut).split(/\r\n|\r|\n/);
      buffer = lines.pop() + buffer.slice(cut);
      lines.forEach(line);
    },
    end() {
      if (buffer) line(buffer.replace(/\r$/, ""));
      line("");
    },
  };
}

function handleEvent(turn, name, data) {
  let payload;
  try {
    payload = JSON.parse(data);
  } catch {
    return;
  }
  if (name === "rewrite") turn.rewrite(payload.question);
  else if (name === "hits") turn.showHits(payload.hits || []);
  else if (name === "token") turn.append(payload.text || "");
  else if (name === "done") turn.finish(payload);
  else if (name === "error") turn.fail(payload.error, payload.status, payload.hits || turn.hits);
}

function setAsking(busy) {
  const button = $("ask-button");
  button.textContent = busy ? "중지" : "보내기";
  button.classList.toggle("btn-stop", busy);
  $("ask-form").setAttribute("aria-busy", String(busy));
}

function newConversation() {
  if (state.asking) state.asking.abort();
  state.asking = null;
  setAsking(false);
  state.turns = [];
  $("turns").replaceChildren();
  $("conversation-empty").hidden = false;
  $("question").focus();
}

// ---------- one question and its answer ----------

class Turn {
  constructor(question) {
    this.question = question;
    this.state = "streaming";
    this.answerText = "";
    this.hits = [];
    this.citations = [];
    this.rewriteNote = el("p", { class: "turn-rewrite", hidden: true });
    this.status = el("p", { class: "turn-status", text: "문서를 찾는 중…" });
    this.notice = el("div", { class: "notice", hidden: true });
    this.answer = el("div", { class: "answer", "aria-live": "polite", "aria-busy": "true" });
    this.extra = el("div", { class: "turn-extra" });
    this.sources = el("section", { class: "sources", hidden: true, "aria-label": "출처" });
    this.root = el("article", { class: "card turn", "data-state": this.state },
      el("p", { class: "turn-question" }, el("span", { class: "turn-label", text: "질문" }), question),
      this.rewriteNote, this.status, this.notice, this.answer, this.extra, this.sources);
    $("turns").append(this.root);
    this.root.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  setState(name) {
    this.state = name;
    this.root.dataset.state = name;
    this.answer.setAttribute("aria-busy", String(name === "streaming"));
    if (name !== "streaming") this.status.hidden = true;
  }

  rewrite(question) {
    if (!question) return;
    this.rewriteNote.replaceChildren("다음 질문으로 검색: ", el("q", { text: question }));
    this.rewriteNote.hidden = false;
  }

  showHits(hits) {
    this.hits = hits;
    if (this.state === "streaming") this.status.textContent = "답변을 쓰는 중…";
    renderSources(this.sources, hits, this.citations, (hit) => showPassage(hit));
  }

  append(text) {
    this.root.dataset.tokens = String(Number(this.root.dataset.tokens || 0) + 1);
    this.answerText += text;
    this.answer.textContent = this.answerText;
  }

  finish(result) {
    this.answerText = result.answer || "";
    this.citations = result.citations || [];
    if (result.question && result.question !== this.question) this.rewrite(result.question);
    if (result.refused && this.citations.length) {
      // A near miss: the refusal says what the closest sources cover instead, and cites them.
      this.answer.replaceChildren(...answerNodes(this.answerText, this.citations, (c) => this.openCitation(c)));
      this.showNotice("refused", "문서에서 답을 찾지 못했습니다");
    } else if (result.refused) {
      this.answer.replaceChildren();
      this.showNotice("refused", "문서에서 답을 찾지 못했습니다", this.answerText);
    } else {
      this.answer.replaceChildren(...answerNodes(this.answerText, this.citations, (c) => this.openCitation(c)));
    }
    this.showWarnings(result.warnings || []);
    this.showHits(result.hits || this.hits);
    if (!this.hits.length) this.extra.append(el("p", { class: "hint", text: "검색된 출처가 없습니다." }));
    this.setState(result.refused ? "refused" : "done");
  }

  fail(message, status, hits) {
    const titles = { 502: "답변 모델(LLM)에 연결할 수 없습니다", 504: "답변 모델(LLM)이 제때 응답하지 않았습니다" };
    const title = titles[status] || "답변을 만들지 못했습니다";
    const found = hits && hits.length ? "검색된 출처는 아래에 있습니다." : "";
    this.showNotice("error", status ? `${title} (${status})` : title, message, found);
    if (hits && hits.length) this.showHits(hits);
    this.setState("error");
  }

  stop() {
    this.showNotice("stopped", "답변을 중지했습니다");
    this.setState("stopped");
  }

  showNotice(kind, title, ...lines) {
    this.notice.className = `notice notice-${kind}`;
    this.notice.setAttribute("role", kind === "error" ? "alert" : "status");
    const paragraphs = lines.filter(Boolean).map((text) => el("p", { text }));
    this.notice.replaceChildren(el("strong", { text: title }), ...paragraphs);
    this.notice.hidden = false;
  }

  showWarnings(warnings) {
    this.extra.replaceChildren(...warnings.map((w) => el("p", { class: "warning", text: w })));
  }

  async openCitation(citation) {
    const hit = this.hits.find((h) => h.chunk_id === citation.chunk_id);
    if (hit) return showPassage(hit, citation.n);
    try {
      showPassage(await apiJson(`chunks/${enc(citation.chunk_id)}`), citation.n);
    } catch {
      showPassage(citation, citation.n);  // the citation carries the text as well
    }
  }
}

// The answer text with each cited [n] as a button; unknown numbers stay plain text.
function answerNodes(text, citations, onCite) {
  const byNumber = new Map(citations.map((c) => [Number(c.n), c]));
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(CITE_MARKER)) {
    nodes.push(text.slice(last, match.index));
    for (const part of match[1].split(/\s*[,，]\s*/)) {
      const citation = byNumber.get(Number(part));
      nodes.push(citation ? citeButton(citation, onCite) : `[${part}]`);
    }
    last = match.index + match[0].length;
  }
  nodes.push(text.slice(last));
  return nodes;
}

function citeButton(citation, onCite) {
  return el("button", {
    type: "button", class: "cite", "aria-label": `출처 ${citation.n}: ${docName(citation)} 구절 보기`,
    onclick: () => onCite(citation),
  }, `[${citation.n}]`);
}

// ---------- sources ----------

function renderSources(section, hits, citations, onOpen) {
  section.hidden = hits.length === 0;
  const cited = new Map(citations.map((c) => [c.chunk_id, c.n]));
  section.replaceChildren(
    el("h3", { class: "sources-title", text: `출처 ${hits.length}개` }),
    el("ol", { class: "source-list" }, ...hits.map((hit) => sourceItem(hit, cited.get(hit.chunk_id), onOpen))));
}

function sourceItem(hit, citedAs, onOpen) {
  const where = [hit.page ? `${hit.page}쪽` : null, hit.section || hit.title || null].filter(Boolean).join(" · ");
  return el("li", { class: "source", "data-chunk-id": hit.chunk_id },
    el("div", { class: "source-head" },
      el("span", { class: "source-rank", text: String(hit.rank ?? "") }),
      el("span", { class: "source-name", text: docName(hit) }),
      citedAs ? el("span", { class: "badge badge-cited", text: `인용 [${citedAs}]` }) : null),
    where ? el("p", { class: "source-where", text: where }) : null,
    scoreList(hit),
    el("button", {
      type: "button", class: "btn btn-quiet btn-small", "aria-label": `${docName(hit)} ${where} 구절 보기`,
      onclick: () => onOpen(hit),
    }, "구절 보기"));
}

function scoreList(hit) {
  const scores = hit.scores || {};
  const component = (c) => (c ? `${formatScore(c.score)} (${c.rank}위)` : "–");
  const rows = [
    ["융합", formatScore(scores.fused ?? hit.score)],
    ["BM25", component(scores.bm25)],
    ["밀집", component(scores.dense)],
    ["재순위", formatScore(scores.rerank)],
  ];
  return el("dl", { class: "scores" }, ...rows.map(([name, value]) =>
    el("div", { class: "score" }, el("dt", { text: name }), el("dd", { text: value }))));
}

// ---------- passage panel ----------

function showPassage(passage, n) {
  $("passage-title").textContent = n ? `출처 [${n}] 구절` : "출처 구절";
  const meta = [docName(passage), passage.section || passage.title, passage.page ? `${passage.page}쪽` : null];
  $("passage-meta").textContent = meta.filter(Boolean).join(" · ");
  const label = passage.page ? `원문 ${passage.page}쪽 열기` : "원문 열기";
  const link = passage.doc_id ? originalLink(passage.doc_id, passage.page, label, "open-original") : "";
  $("passage-open").replaceChildren(link);
  $("passage-text").replaceChildren(...highlighted(passage.text || "", passage.matched || []));
  const dialog = $("passage");
  if (!dialog.open) dialog.showModal();
  const firstMark = dialog.querySelector("mark");
  if (firstMark) firstMark.scrollIntoView({ block: "center" });
}

// `matched` spans are code-point offsets (Python); Array.from splits by code point, not UTF-16 unit.
function highlighted(text, spans) {
  const chars = Array.from(text);
  const nodes = [];
  let pos = 0;
  for (const { start, end } of spans) {
    if (start < pos || end <= start || start >= chars.length) continue;
    nodes.push(chars.slice(pos, start).join(""));
    nodes.push(el("mark", { text: chars.slice(start, end).join("") }));
    pos = end;
  }
  nodes.push(chars.slice(pos).join(""));
  return nodes;
}

// ---------- question history ----------

function addToHistory(question) {
  const list = load(STORE.history, []).filter((q) => q !== question);
  list.unshift(question);
  save(STORE.history, list.slice(0, HISTORY_MAX));
  renderHistory();
}

function renderHistory() {
  const list = load(STORE.history, []);
  $("history").replaceChildren(...list.map((q) => el("li", {},
    el("button", { type: "button", class: "history-item", title: "다시 묻기", onclick: () => askAgain(q) }, q))));
  $("history-empty").hidden = list.length > 0;
  $("history-clear").hidden = list.length === 0;
}

function askAgain(question) {
  if (state.asking) {
    $("question").value = question;
    return;
  }
  ask(question);
}

function clearHistory() {
  localStorage.removeItem(STORE.history);
  renderHistory();
}

// ---------- wiring ----------

function bindUpload() {
  const zone = $("dropzone");
  $("file-input").addEventListener("change", (e) => uploadFiles(e.target.files));
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("dragging");
    uploadFiles(e.dataTransfer.files);
  });
  // A file dropped beside the zone must not navigate away from the page.
  for (const type of ["dragover", "drop"]) window.addEventListener(type, (e) => e.preventDefault());
}

function bindAsk() {
  const input = $("question");
  $("ask-form").addEventListener("submit", (e) => {
    e.preventDefault();
    if (state.asking) return state.asking.abort();
    const question = input.value;
    input.value = "";
    ask(question);
  });
  input.addEventListener("keydown", (e) => {
    // Enter sends, Shift+Enter is a newline; Enter that ends Korean IME composition is not a send.
    if (e.key !== "Enter" || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    if (!state.asking && input.value.trim()) $("ask-form").requestSubmit();
  });
  $("new-chat").addEventListener("click", newConversation);
}

function bindEvents() {
  bindUpload();
  bindAsk();
  $("settings-form").addEventListener("change", saveSettings);
  $("settings-reset").addEventListener("click", resetSettings);
  $("docs-refresh").addEventListener("click", refreshDocuments);
  $("history-clear").addEventListener("click", clearHistory);
  $("passage-close").addEventListener("click", () => $("passage").close());
  $("passage").addEventListener("click", (e) => {
    if (e.target === e.currentTarget) e.currentTarget.close();  // a click on the backdrop
  });
  $("key-button").addEventListener("click", changeKey);
  $("key-forget").addEventListener("click", forgetKey);
}

async function loadAll() {
  try {
    await loadConfig();
    showMessage($("app-error"), "");
  } catch (err) {
    showMessage($("app-error"), `서버 설정을 읽지 못했습니다: ${err.message}`);
  }
  const jobs = loadJobs().then(
    () => showMessage($("upload-error"), ""),
    (err) => showMessage($("upload-error"), `작업 목록을 읽지 못했습니다: ${err.message}`),
  );
  await Promise.all([refreshDocuments(), jobs]);
}

function boot() {
  bindEvents();
  updateKeyButton();
  renderHistory();
  writeSettingsForm({ ...defaultSettings(), ...load(STORE.settings, {}) });
  loadAll();
}

boot();
