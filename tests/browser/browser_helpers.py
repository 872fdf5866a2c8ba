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

from support import label  # noqa: F401  (bh.label: one home, tests/support.py)

from course_utils.authoring import handouts
from course_utils.authoring.notebooks import in_language, read_notebook, source

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
BUILD_DIR = ROOT / "build"
SCREEN = {"width": 1280, "height": 720}
# Chromium: found and launched as the handouts command does (one home for both).
CHROMIUM_ARGS, CHROMIUM_CANDIDATES, find_chromium = handouts.CHROMIUM_ARGS, handouts.CHROMIUM_CANDIDATES, \
    handouts.find_chromium


def notebooks(language: str = "en") -> list[Path]:
    """The notebooks of one edition: ``notebooks/*.ipynb`` (English) or ``notebooks/zh/*.ipynb``."""
    return sorted(in_language(NOTEBOOK_DIR, language).glob("*.ipynb"))


def both_editions() -> list[Path]:
    """Every English notebook, then every notebook of the Chinese edition."""
    return notebooks("en") + notebooks("zh")


# The Chinese notebooks the JupyterLab and handout tests take (the deck tests measure every slide of all
# eight). The Chinese edition's cells, outputs and figures are the English ones (tests/test_translations.py)
# and its slides are measured in the decks, so what is left to see in JupyterLab and in print is that
# Chinese prose renders; two notebooks, one with the most formulas and tables (04), show it at a quarter
# of the time of all eight, which keeps `make test` within its budget.
SAMPLE_ZH = ("00", "04")


def english_and_sample_zh() -> list[Path]:
    """Every English notebook and :data:`SAMPLE_ZH` of the Chinese edition."""
    return notebooks("en") + [p for p in notebooks("zh") if p.name[:2] in SAMPLE_ZH]


# --------------------------------------------------------------------------- decks

# Loaded into a page as window.courseFit: measures what each slide shows on the screen (see the file).
MEASURE_SLIDES_JS = (Path(__file__).resolve().parent / "measure_slides.js").read_text(encoding="utf-8")

# What must hold on every slide, in viewport pixels of the SCREEN (1280×720).
MIN_TEXT_PX = 16  # prose, headings, tables, captions
MIN_CODE_PX = 14  # code cells, printed output, ASCII diagrams (anything monospace)


def install_fit_measure(page) -> None:
    """Make ``window.courseFit`` (measure_slides.js) available in ``page``."""
    page.evaluate(f"() => {{ window.courseFit = {MEASURE_SLIDES_JS}; return true; }}")


def fonts_of_first_heading(page) -> dict[str, int]:
    """The fonts Chromium drew the first slide's ``<h1>`` with, ``{family: glyphs drawn}``: what DevTools
    shows under "Rendered Fonts" (``CSS.getPlatformFontsForNode``), the fonts really used, fallbacks included."""
    client = page.context.new_cdp_session(page)
    try:
        client.send("DOM.enable")
        client.send("CSS.enable")
        root = client.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = client.send("DOM.querySelector", {"nodeId": root, "selector": ".reveal .slides h1"})["nodeId"]
        fonts = client.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"] if node else []
    finally:
        client.detach()
    return {font["familyName"]: font["glyphCount"] for font in fonts}


def chinese_font_families() -> set[str]:
    """Every installed font family that covers Chinese, as fontconfig says (``fc-list :lang=zh``)."""
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=True).stdout
    return {name.strip() for line in listed.splitlines() for name in line.split(",") if name.strip()}


def measure_deck(page) -> dict:
    """Every slide of the exported deck open in ``page``: ``{"width", "height", "slides": [...]}``."""
    start_measuring_deck(page)
    return finish_measuring_deck(page)


def start_measuring_deck(page) -> None:
    """Start :func:`measure_deck`'s measurement in ``page`` and return at once.

    The measurement runs in the page's own renderer process, so another deck can load and typeset in
    a second page meanwhile; :func:`finish_measuring_deck` waits for the result.
    """
    install_fit_measure(page)
    page.evaluate("() => { window.courseFitResult = window.courseFit.measureDeck(); }")


def finish_measuring_deck(page) -> dict:
    """The result of the measurement :func:`start_measuring_deck` started in ``page``."""
    return page.evaluate("async () => await window.courseFitResult")


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
  lang: document.documentElement.lang,
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


def _where(item: dict) -> str:
    return f"cell {item['cell_index']} {item['kind']} {item['text']!r}"


def slide_problems(slide: dict, screen: dict = SCREEN) -> list[str]:
    """What is wrong with one measured slide (see measure_slides.js), as short phrases with the numbers."""
    problems = []
    if slide["bottom"] > screen["height"]:
        problems.append(f"reaches {slide['bottom']:.0f} px, below the {screen['height']} px screen "
                        f"(lowest: {_where(slide['lowest'])})")
    if slide["top"] < 0:
        problems.append(f"starts {-slide['top']:.0f} px above the screen")
    if slide["right"] > screen["width"] + 1:
        problems.append(f"reaches {slide['right']:.0f} px, right of the {screen['width']} px screen")
    for key, limit, what in (("min_text", MIN_TEXT_PX, "text"), ("min_code", MIN_CODE_PX, "code")):
        smallest = slide[key]
        if smallest and smallest["px"] < limit:
            problems.append(f"{what} at {smallest['px']:.1f} px (< {limit} px): {_where(smallest)}")
    if slide.get("doubled_formulas"):
        problems.append(f"{slide['doubled_formulas']} formula(s) drawn twice (MathJax left a second copy)")
    seen = set()
    for item in sorted(slide["wide"], key=lambda item: -item["overflow"]):
        if (item["cell_index"], item["kind"]) not in seen:
            seen.add((item["cell_index"], item["kind"]))
            problems.append(f"{_where(item)} cut off on the right by {item['overflow']} px")
    return problems


def _with_cell_indices(slide: dict, nb) -> dict:
    """Replace the cell ids the browser saw by notebook cell indices (what an author looks up)."""
    index = {cell.get("id"): i for i, cell in enumerate(nb["cells"])}

    def fix(item):
        if not item or item.get("cell_index") is not None:
            return item
        return {**item, "cell_index": index.get(item.get("cell_id"), "?")}

    return {**slide, "lowest": fix(slide["lowest"]), "min_text": fix(slide["min_text"]),
            "min_code": fix(slide["min_code"]), "wide": [fix(item) for item in slide["wide"]]}


def fit_report(deck: str, measured: list[dict], plan, nb, screen: dict = SCREEN) -> list[str]:
    """One line per slide that does not fit ``screen`` or shows text too small to read:
    deck, slide number, position ``#/h/v``, title, and every problem with its measured numbers."""
    lines = []
    for slide in measured:
        slide = _with_cell_indices(slide, nb)
        problems = slide_problems(slide, screen)
        if problems:
            sub = plan.at(slide["h"], slide["v"])
            title = sub.title if sub else "?"
            lines.append(f"{deck} slide {slide['index'] + 1}/{plan.total} (#/{slide['h']}/{slide['v']}) "
                         f"“{title}”: " + "; ".join(problems))
    return lines


def fit_summary(measured: list[dict]) -> str:
    """The extremes over ``measured`` slides: smallest text and code, lowest bottom, rightmost edge."""
    def smallest(key):
        sizes = [slide[key]["px"] for slide in measured if slide[key]]
        return f"{min(sizes):.1f} px" if sizes else "none"

    return (f"{len(measured)} slides: smallest text {smallest('min_text')}, smallest code {smallest('min_code')}, "
            f"lowest bottom {max(slide['bottom'] for slide in measured):.0f} px, "
            f"rightmost {max(slide['right'] for slide in measured):.0f} px")


# --------------------------------------------------------------------------- RISE in JupyterLab

# RISE keeps its reveal.js instance to itself, so the tests move through a slideshow as a
# presenter does, with the arrow keys, and read where they are from the slide's id ("slide-3-1").
RISE_POSITION_JS = r"""
() => {
  const present = Array.from(document.querySelectorAll('.reveal .slides section.present'))
    .filter(s => !s.querySelector(':scope > section'));
  const id = present.length ? present[present.length - 1].id : '';
  const match = /^slide-(\d+)-(\d+)$/.exec(id);
  return match ? [Number(match[1]), Number(match[2])] : null;
}
"""


def open_rise(context, server, notebook: Path, timeout_ms: int = 90_000):
    """Open ``notebook`` (a file below the server's root) in RISE's slideshow view
    (``/rise/<its path>``, e.g. ``/rise/notebooks/03_x.ipynb``), ready to measure."""
    page = context.new_page()
    where = Path(notebook).resolve().relative_to(server.root.resolve()).as_posix()
    page.goto(f"{server.url}/rise/{where}?token={server.token}")
    page.locator(".reveal.ready").wait_for(state="attached", timeout=timeout_ms)
    title = page.locator(".reveal .slides section.present .jp-MarkdownCell").first
    title.wait_for(timeout=timeout_ms)
    # RISE's arrow keys are JupyterLab commands: they act once the notebook has the focus, which
    # a click on a rendered markdown cell gives it (without entering edit mode).
    title.click()
    install_fit_measure(page)
    return page


def rise_copies(notebooks, folder: Path) -> list[Path]:
    """Copies of ``notebooks`` in ``folder/notebooks/`` as RISE shows them with the settings
    ``python -m course_utils.authoring.rise_settings`` writes (written again here, so that the measurement
    does not depend on the committed notebooks): with their ``metadata.rise``, next to
    ``rise.css``, with ``folder/figures`` pointing at the repository's figures. ``folder`` must be
    below the lab server's root. The notebooks themselves are not touched."""
    from course_utils.authoring.rise_settings import RISE_CSS_NAME, apply_settings

    target = Path(folder) / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(NOTEBOOK_DIR / RISE_CSS_NAME, target / RISE_CSS_NAME)
    figures = Path(folder) / "figures"
    if not figures.exists():
        figures.symlink_to(ROOT / "figures", target_is_directory=True)
    copies = []
    for notebook in notebooks:
        copy = target / Path(notebook).name
        shutil.copyfile(notebook, copy)
        apply_settings(copy)
        copies.append(copy)
    return copies


def rise_goto(page, h: int, v: int, max_keys: int = 500) -> None:
    """Press the arrow keys until RISE shows slide ``#/h/v`` (moving forward only)."""
    for _ in range(max_keys):
        where = page.evaluate(RISE_POSITION_JS)
        if where is None:
            raise RuntimeError("RISE shows no slide with an id like 'slide-3-1'")
        if tuple(where) == (h, v):
            return
        if tuple(where) > (h, v):
            raise ValueError(f"RISE is at #/{where[0]}/{where[1]}, past #/{h}/{v}: measure slides in order")
        # right moves to the next column's top slide, down to the next slide below
        page.keyboard.press("ArrowRight" if where[0] < h else "ArrowDown")
    raise RuntimeError(f"RISE did not reach #/{h}/{v} in {max_keys} key presses")


def measure_rise(page, plan, positions=None) -> list[dict]:
    """Measure slides of the RISE slideshow open in ``page`` (all, or the ``(h, v)`` in ``positions``)
    the way :func:`measure_deck` measures a deck; the result goes to :func:`fit_report` likewise."""
    wanted = sorted(positions) if positions is not None else [(s.h, s.v) for s in plan.subslides]
    index = {(s.h, s.v): i for i, s in enumerate(plan.subslides)}
    slides = []
    for h, v in wanted:
        rise_goto(page, h, v)
        measured = page.evaluate("async () => await window.courseFit.measurePresent()")
        slides.append({"h": h, "v": v, "index": index[(h, v)], **measured})
    return slides


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
    root: Path = ROOT  # the folder the server serves; notebook URLs are relative to it

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
    server = LabServer(process, f"http://127.0.0.1:{port}", token, log_path, Path(root_dir))
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


def run_notebook_on_server(server: LabServer, notebook: Path, cell_timeout: float = 300) -> dict:
    """Run every code cell of ``notebook`` on a new kernel of ``server``, as JupyterLab would.

    Starts a kernel (``POST /api/kernels``) in the notebook's folder, sends all cells at once
    (the kernel queues them and stops at the first error) and collects the execute replies.
    Cells marked ``NBVAL_SKIP`` are not sent. Returns ``{"errors": [...], "cells": n, "seconds": t}``;
    an error is a cell that raised although it is not marked ``NBVAL_RAISES_EXCEPTION``, or did not
    raise although it is.
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
            nb = read_notebook(notebook)
            session_id = uuid.uuid4().hex
            code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
            for number, cell in enumerate(code_cells, start=1):
                text = source(cell)
                tags = cell.get("metadata", {}).get("tags", [])
                if "NBVAL_SKIP" in text or "nbval-skip" in tags:
                    continue
                raises = "NBVAL_RAISES_EXCEPTION" in text or "raises-exception" in tags
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
