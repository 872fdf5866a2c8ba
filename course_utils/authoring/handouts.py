"""PDF handouts: one page per slide of each offline deck, printed by Chromium.

Usage::

    python -m course_utils.authoring.handouts                # export the decks, then build/handouts/NN_name.pdf
    python -m course_utils.authoring.handouts --notes        # a page of speaker notes after each slide that has some
    python -m course_utils.authoring.handouts --no-export build/slides/02_conv2d_by_hand.slides.html
    python -m course_utils.authoring.handouts --language zh  # the Chinese decks -> build/handouts/zh/

How: each deck of :mod:`.slides` is opened offline in headless Chromium (Debian's ``chromium``,
driven by Playwright; no browser download) in reveal.js's print view, ``?print-pdf``
(https://revealjs.com/pdf-export/), with every fragment shown on its slide's page
(``pdfSeparateFragments=false``) and one page per slide (``pdfMaxPagesPerSlide=1``: a slide
too tall for its page is cut, never continued on a second page, so page N is slide N). Before
printing, once MathJax has typeset every formula, each slide is centred on its page again by
reveal.js's own rule (reveal.js centres them when the page loads, before the formulas have their
final height), then every page is measured in the print view; a page whose content reaches past its
edges is reported and the command exits with status 1 (the PDF is still written).
Chromium's ``page.pdf`` then prints at the page size reveal.js sets (the slide, 1280×720,
plus its margin).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from course_utils.authoring.notebooks import LANGUAGES, in_language

__all__ = ["DEFAULT_OUT", "CHROMIUM_ARGS", "find_chromium", "print_view_url", "Handout", "print_handout",
           "build_handouts", "main"]

DEFAULT_OUT = Path("build") / "handouts"
# Flags that make Chromium work as root in a container and stay off the network by itself.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--no-first-run"]
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Per printed page: how far its content reaches past the page's bottom and right edges (CSS px).
# "Content" is what is drawn: elements hidden, transparent or clipped away (MathJax's assistive
# MathML copy of each formula) do not count, as in the slide-fit tests' measure_slides.js.
PRINT_PAGES_JS = r"""
async () => {
  if (window.MathJax && MathJax.Hub) await new Promise(resolve => MathJax.Hub.Queue(resolve));
  await Promise.all(Array.from(document.images, img => img.complete ? null
    : new Promise(resolve => { img.onload = img.onerror = resolve; })));
  // reveal.js centres each slide on its page from the heights it measures when the page loads,
  // before MathJax has typeset the formulas; centre again, by the same rule, with the final heights.
  const config = Reveal.getConfig();
  for (const slide of document.querySelectorAll('.reveal .pdf-page > section:not(.stack)')) {
    if (config.center || slide.classList.contains('center')) {
      const pageHeight = slide.parentElement.clientHeight - config.pdfPageHeightOffset;
      slide.style.top = Math.max((pageHeight - slide.scrollHeight) / 2, 0) + 'px';
    }
  }
  const memo = new Map();
  const drawn = el => {
    if (el.classList.contains('pdf-page')) return true;
    if (memo.has(el)) return memo.get(el);
    const cs = getComputedStyle(el);
    const ok = el.getClientRects().length > 0 && cs.visibility !== 'hidden' && parseFloat(cs.opacity) > 0
      && cs.clip === 'auto' && (cs.clipPath === 'none' || cs.clipPath === '')
      && !el.matches('aside.notes, .speaker-notes-pdf, script, style')
      && (!el.parentElement || drawn(el.parentElement));
    memo.set(el, ok);
    return ok;
  };
  return Array.from(document.querySelectorAll('.reveal .pdf-page')).map((page, index) => {
    const box = page.getBoundingClientRect();
    let bottom = box.top, right = box.left;
    for (const el of page.querySelectorAll('section *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || !drawn(el)) continue;
      bottom = Math.max(bottom, r.bottom); right = Math.max(right, r.right);
    }
    const heading = page.querySelector('h1, h2, h3');
    return { index, notes: !!page.querySelector('.speaker-notes-pdf'),
             below: Math.round(bottom - box.bottom), beyond: Math.round(right - box.right),
             title: heading ? heading.textContent.replace(/\s+/g, ' ').replace('¶', '').trim().slice(0, 60) : '' };
  });
}
"""


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


def print_view_url(deck, notes: bool = False) -> str:
    """The ``file:`` URL of ``deck`` in reveal.js's print view, all fragments shown, one page per slide."""
    query = "print-pdf&pdfSeparateFragments=false&pdfMaxPagesPerSlide=1"
    if notes:
        query += "&showNotes=separate-page"
    return f"{Path(deck).resolve().as_uri()}?{query}"


@dataclass
class Handout:
    """What :func:`print_handout` printed: the PDF, its pages as measured before printing, the time taken."""

    pdf: Path
    pages: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def cut(self) -> list[str]:
        """One line per page whose content reaches past its bottom or right edge (more than 1 px)."""
        return [f"page {p['index'] + 1} “{p['title']}”: " + ", ".join(
                    f"{n} px {where}" for n, where in ((p["below"], "below the page"), (p["beyond"], "right of it"))
                    if n > 1)
                for p in self.pages if p["below"] > 1 or p["beyond"] > 1]


def print_handout(context, deck, out_dir, notes: bool = False, timeout_ms: int = 60_000) -> Handout:
    """Print ``deck`` (an exported ``.slides.html``) to ``<out_dir>/<name>.pdf`` in a page of ``context``.

    Every request that leaves the machine is refused: the deck must carry what it shows.
    """
    deck = Path(deck)
    if not deck.is_file() or not deck.name.endswith(".slides.html"):
        raise ValueError(f"deck: expected an exported deck (NN_name.slides.html), got {str(deck)!r}; "
                         "run `make slides` first")
    start = time.perf_counter()
    page = context.new_page()
    try:
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                   else route.abort("internetdisconnected"))
        page.goto(print_view_url(deck, notes), wait_until="load", timeout=timeout_ms)
        page.wait_for_selector(".reveal .pdf-page", state="attached", timeout=timeout_ms)
        measured = page.evaluate(PRINT_PAGES_JS)
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        pdf = out / (deck.name.removesuffix(".slides.html") + ".pdf")
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    finally:
        page.close()
    return Handout(pdf, measured, time.perf_counter() - start)


def build_handouts(decks, out_dir=DEFAULT_OUT, notes: bool = False, chromium: str | None = None,
                   log=print) -> list[Handout]:
    """Print every deck in ``decks`` into ``out_dir``; return what was printed and measured."""
    from playwright.sync_api import sync_playwright

    chromium = chromium or find_chromium()
    if chromium is None:
        raise RuntimeError("no Chromium found: install Debian's `chromium` (apt-get install chromium) "
                           "or set $CHROMIUM to a Chromium/Chrome binary")
    handouts = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            for deck in decks:
                handout = print_handout(context, deck, out_dir, notes)
                log(f"{handout.pdf}: {len(handout.pages)} pages in {handout.seconds:.1f} s"
                    + "".join(f"\n  CUT OFF: {line}" for line in handout.cut))
                handouts.append(handout)
        finally:
            browser.close()
    return handouts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.authoring.handouts",
                                     description="Print each slide deck as a PDF handout, one page per slide.")
    parser.add_argument("decks", nargs="*", type=Path, help="decks to print (default: every build/slides deck)")
    parser.add_argument("--out", type=Path, help="output folder (default: build/handouts, build/handouts/zh for zh)")
    parser.add_argument("--language", choices=sorted(LANGUAGES), default="en",
                        help="the edition whose decks to print when no decks are given (default: en)")
    parser.add_argument("--notes", action="store_true", help="add a page of speaker notes after each slide with some")
    parser.add_argument("--no-export", action="store_true",
                        help="print the decks already in build/slides instead of exporting them first")
    args = parser.parse_args(argv)
    try:
        decks = args.decks
        if not decks:
            from course_utils.authoring import slides

            deck_dir = in_language(slides.DEFAULT_OUT, args.language)
            if not args.no_export:
                slides.build_decks(out_dir=deck_dir, require_offline=True, language=args.language)
            decks = sorted(deck_dir.glob("*.slides.html"))
        if not decks:
            raise ValueError("decks: none given and none in build/slides; run `make slides` first")
        handouts = build_handouts(decks, args.out or in_language(DEFAULT_OUT, args.language), notes=args.notes)
    except (ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    cut = sum(len(h.cut) for h in handouts)
    if cut:
        print(f"{cut} pages are cut off: fix those slides (the slide-fit tests name them too)", file=sys.stderr)
    return 1 if cut else 0


if __name__ == "__main__":
    sys.exit(main())
