"""Helpers for the browser tests: find Chromium, open a deck offline, measure its slides,
start a JupyterLab server, run a notebook on a server kernel.

Kept out of conftest.py so that scripts (and tests) can import them by name.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
BUILD_DIR = ROOT / "build"
SCREEN = {"width": 1280, "height": 720}
# Flags that make Chromium work as root in a container and stay off the network by itself.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--no-first-run",
]
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """Path of a Chromium binary: $CHROMIUM, else the first of CHROMIUM_CANDIDATES on PATH."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def notebooks() -> list[Path]:
    return sorted(NOTEBOOK_DIR.glob("*.ipynb"))


# --------------------------------------------------------------------------- decks

# Runs in the deck page: waits for MathJax, then shows every slide in turn and measures it.
# Heights and widths are CSS pixels of the slide box (reveal.js scales the box to the screen,
# so a slide fits exactly when its content fits in config.width × config.height).
MEASURE_SLIDES_JS = r"""
async () => {
  if (window.MathJax && MathJax.Hub) {
    await new Promise(resolve => MathJax.Hub.Queue(resolve));
  }
  const config = Reveal.getConfig();
  Reveal.configure({ transition: 'none', backgroundTransition: 'none' });
  const describe = el => {
    const cell = el.closest('[id^="cell-id="]');
    const kind = el.matches('.jp-MarkdownCell') ? 'markdown'
      : el.matches('.jp-CodeCell') ? 'code'
      : el.closest('.jp-OutputArea') ? 'output'
      : el.closest('.jp-InputArea') ? 'code' : el.tagName.toLowerCase();
    const lines = (el.textContent || '').split('\n').map(l => l.trim()).filter(l => l);
    const text = (lines.reduce((a, b) => (b.length > a.length ? b : a), '') || '').slice(0, 70);
    return { cell_id: cell ? cell.id.slice('cell-id='.length) : null, kind, text,
             height: Math.round(el.getBoundingClientRect().height / scale) };
  };
  let scale = 1;
  const slides = [];
  const horizontals = Reveal.getHorizontalSlides();
  for (let h = 0; h < horizontals.length; h++) {
    const stack = horizontals[h].querySelectorAll(':scope > section');
    const verticals = stack.length ? Array.from(stack) : [horizontals[h]];
    for (let v = 0; v < verticals.length; v++) {
      Reveal.slide(h, v);
      const section = verticals[v];
      scale = Reveal.getScale() || 1;
      const style = getComputedStyle(section);
      const pad = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
      // Visible pieces of the slide (speaker notes are display:none and measure 0).
      const parts = Array.from(section.querySelectorAll(':scope > .jp-Cell, :scope > .fragment > .jp-Cell'))
        .map(describe).filter(p => p.height > 0);
      // Things that scroll sideways inside the slide: their right part is cut off.
      const wide = Array.from(section.querySelectorAll('pre, table, .jp-OutputArea-output, .highlight, img, svg, mjx-container, .MathJax_CHTML'))
        .filter(el => el.scrollWidth > el.clientWidth + 2 && el.clientWidth > 0)
        .map(el => ({ ...describe(el), overflow: el.scrollWidth - el.clientWidth }));
      const rightEdge = Math.max(0, ...Array.from(section.querySelectorAll('*'))
        .filter(el => el.getClientRects().length)
        .map(el => (el.getBoundingClientRect().right - section.getBoundingClientRect().left) / scale));
      slides.push({
        h, v,
        index: slides.length,
        height: section.scrollHeight,
        content_height: section.scrollHeight - pad,
        width: Math.round(rightEdge),
        parts, wide,
      });
    }
  }
  Reveal.slide(0, 0);
  return { width: config.width, height: config.height, slides };
}
"""

DECK_FACTS_JS = r"""
() => ({
  total: Reveal.getTotalSlides(),
  horizontal: Reveal.getHorizontalSlides().length,
  fragments: document.querySelectorAll('.reveal .slides .fragment').length,
  notes: document.querySelectorAll('.reveal .slides aside.notes').length,
  mathjax: !!(window.MathJax && MathJax.Hub),
  math_rendered: document.querySelectorAll('.MathJax_CHTML, mjx-container').length,
  math_errors: document.querySelectorAll('.MathJax_CHTML_Error, merror, .mjx-merror').length,
  width: Reveal.getConfig().width,
  height: Reveal.getConfig().height,
})
"""


@dataclass
class OpenedDeck:
    page: object
    external_requests: list = field(default_factory=list)
    failed_requests: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)


def open_deck_offline(context, deck: Path, timeout_ms: int = 30_000) -> OpenedDeck:
    """Open ``deck`` (a file) in a new page of ``context`` with every non-file request aborted.

    Waits until reveal.js marks itself ready (``.reveal.ready``). Records the requests that tried
    to leave the machine, file requests that failed, and console errors.
    """
    page = context.new_page()
    opened = OpenedDeck(page)

    def block(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            opened.external_requests.append(url)
            route.abort("internetdisconnected")

    page.route("**/*", block)
    page.on("requestfailed", lambda r: opened.failed_requests.append(f"{r.url} ({r.failure})"))
    page.on("console", lambda m: m.type == "error" and opened.console_errors.append(m.text))
    page.on("pageerror", lambda e: opened.console_errors.append(f"page error: {e}"))
    page.goto(deck.resolve().as_uri(), wait_until="load", timeout=timeout_ms)
    page.wait_for_selector(".reveal.ready", state="attached", timeout=timeout_ms)
    return opened


def overflow_report(measure: dict, plan, nb: dict) -> list[str]:
    """Human-readable lines for every slide whose content does not fit the slide box."""
    cell_index = {cell.get("id"): i for i, cell in enumerate(nb["cells"])}
    lines = []
    limit_h, limit_w = measure["height"], measure["width"]
    for slide in measure["slides"]:
        problems = []
        if slide["height"] > limit_h:
            problems.append(f"{slide['height']} px tall (limit {limit_h})")
        if slide["width"] > limit_w + 2:
            problems.append(f"{slide['width']} px wide (limit {limit_w})")
        seen = set()
        for item in sorted(slide["wide"], key=lambda item: -item["overflow"]):
            where = cell_index.get(item["cell_id"], "?")
            if (where, item["kind"]) in seen:
                continue
            seen.add((where, item["kind"]))
            problems.append(f"cell {where} {item['kind']} cut off on the right by {item['overflow']} px "
                            f"(longest line {item['text']!r})")
        if not problems:
            continue
        sub = plan.subslides[slide["index"]] if slide["index"] < len(plan.subslides) else None
        title = sub.title if sub else "?"
        cells = ", ".join(f"cell {cell_index.get(p['cell_id'], '?')} {p['kind']} {p['height']} px"
                          for p in sorted(slide["parts"], key=lambda p: -p["height"])[:4])
        lines.append(f"slide {slide['index'] + 1} (#/{slide['h']}/{slide['v']}) “{title}”: "
                     + "; ".join(problems) + f" — tallest cells: {cells}")
    return lines


# --------------------------------------------------------------------------- JupyterLab server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LabServer:
    process: subprocess.Popen
    url: str
    token: str
    log_path: Path

    def api(self, method: str, path: str, body=None, timeout: float = 30):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}{path}", data=data, method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_lab(state_dir: Path, root_dir: Path = ROOT, threads: int = 1, timeout: float = 60) -> LabServer:
    """Start JupyterLab on a free localhost port with a random token; wait until it answers.

    ``state_dir`` keeps settings, workspaces and runtime files away from the user's own.
    ``threads`` sets OMP/MKL threads of the server's kernels, so two kernels share two cores.
    """
    port, token = free_port(), uuid.uuid4().hex
    state_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update({
        "JUPYTER_RUNTIME_DIR": str(state_dir / "runtime"),
        "JUPYTER_CONFIG_DIR": str(state_dir / "config"),
        "OMP_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
    })
    env.pop("MPLBACKEND", None)  # nbval's trap: it changes plot outputs
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
        f"--LabApp.user_settings_dir={state_dir / 'settings'}",
        f"--LabApp.workspaces_dir={state_dir / 'workspaces'}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log_path = state_dir / "server.log"
    log = open(log_path, "w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root_dir)
    server = LabServer(process, f"http://127.0.0.1:{port}", token, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            server.api("GET", "/api/status", timeout=2)
            return server
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"JupyterLab did not answer within {timeout} s:\n{log_path.read_text()[-3000:]}")


# --------------------------------------------------------------------------- kernels over websocket


def _message(msg_type: str, content: dict, session: str) -> dict:
    return {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "test", "session": session,
                   "date": "", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": [],
    }


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def run_notebook_on_server(server: LabServer, notebook: Path, cell_timeout: float = 300) -> dict:
    """Run every code cell of ``notebook`` on a new kernel of ``server``, as JupyterLab would.

    Starts a kernel (``POST /api/kernels``) in the notebook's folder, sends all cells at once
    (the kernel queues them and stops at the first error) and collects the execute replies. Cells marked ``NBVAL_SKIP`` are not sent. Returns
    ``{"errors": [...], "cells": n, "seconds": t}``; an error is a cell that raised although
    it is not marked ``NBVAL_RAISES_EXCEPTION``, or did not raise although it is.
    """
    import websocket  # websocket-client, a dependency of jupyter_server

    # The kernel's working directory is the notebook's folder, as when JupyterLab opens it.
    folder = notebook.resolve().parent.relative_to(ROOT).as_posix()
    kernel_id = server.api("POST", "/api/kernels", {"name": "python3", "path": folder})["id"]
    started = time.monotonic()
    errors, sent, aborted = [], {}, 0
    try:
        ws_url = server.url.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels?token={server.token}"
        ws = websocket.create_connection(ws_url, timeout=cell_timeout)
        try:
            nb = json.loads(notebook.read_text(encoding="utf-8"))
            session_id = uuid.uuid4().hex
            code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
            for number, cell in enumerate(code_cells, start=1):
                text = source(cell)
                if "NBVAL_SKIP" in text or "nbval-skip" in cell.get("metadata", {}).get("tags", []):
                    continue
                raises = "NBVAL_RAISES_EXCEPTION" in text or "raises-exception" in cell.get("metadata", {}).get("tags", [])
                message = _message("execute_request", {
                    "code": text, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": not raises,
                }, session_id)
                sent[message["header"]["msg_id"]] = (number, raises, text.splitlines()[0] if text else "")
                ws.send(json.dumps(message))
            pending = dict(sent)
            while pending:
                reply = json.loads(ws.recv())
                parent = reply.get("parent_header", {}).get("msg_id")
                if reply.get("msg_type") != "execute_reply" or parent not in pending:
                    continue
                number, raises, first_line = pending.pop(parent)
                status = reply["content"].get("status")
                if status == "error" and not raises:
                    content = reply["content"]
                    errors.append(f"code cell {number} ({first_line!r}): {content.get('ename')}: "
                                  f"{content.get('evalue', '')[:300]}")
                elif status == "aborted":
                    aborted += 1
                elif status == "ok" and raises:
                    errors.append(f"code cell {number} is marked NBVAL_RAISES_EXCEPTION but did not raise")
        finally:
            ws.close()
        if aborted:
            errors.append(f"{aborted} later cell(s) were not run because of the error above")
    finally:
        server.api("DELETE", f"/api/kernels/{kernel_id}")
    return {"errors": errors, "cells": len(sent), "seconds": time.monotonic() - started}
