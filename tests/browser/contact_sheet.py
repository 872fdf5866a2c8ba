"""Contact sheets: every slide of an exported deck, all fragments shown, tiled into one PNG per deck.

    make slides
    python tests/browser/contact_sheet.py build/slides/03_padding_and_stride.slides.html [more decks]

writes ``build/contact_sheets/NN.png`` (6 slides a row, each at a quarter of 1280×720, numbered as
the deck numbers them), so a person can look at every slide of a deck in one picture. The deck is
opened offline in headless Chromium, as the browser tests open it.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # browser_helpers, run as a script

import browser_helpers as bh  # noqa: E402

COLUMNS, SCALE = 6, 0.25
SLIDE_POSITIONS_JS = """() => Reveal.getHorizontalSlides().flatMap((section, h) => {
  const stack = section.querySelectorAll(':scope > section');
  return stack.length ? Array.from(stack, (_, v) => [h, v]) : [[h, 0]];
})"""


def contact_sheet(page, out: Path) -> int:
    """Screenshot every slide of the deck open in ``page`` into the tiled PNG ``out``; return the slide count."""
    from PIL import Image, ImageDraw

    page.evaluate("() => Reveal.configure({ transition: 'none', backgroundTransition: 'none' })")
    positions = page.evaluate(SLIDE_POSITIONS_JS)
    width, height = int(bh.SCREEN["width"] * SCALE), int(bh.SCREEN["height"] * SCALE)
    rows = -(-len(positions) // COLUMNS)
    sheet = Image.new("RGB", (COLUMNS * (width + 4), rows * (height + 4)), "#888")
    draw = ImageDraw.Draw(sheet)
    for i, (h, v) in enumerate(positions):
        page.evaluate(f"() => Reveal.slide({h}, {v}, Number.MAX_SAFE_INTEGER)")  # every fragment shown
        page.wait_for_timeout(150)
        shot = Image.open(io.BytesIO(page.screenshot())).resize((width, height))
        x, y = (i % COLUMNS) * (width + 4) + 2, (i // COLUMNS) * (height + 4) + 2
        sheet.paste(shot, (x, y))
        draw.text((x + 4, y + height - 14), f"{i + 1} #/{h}/{v}", fill="#c00")
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out)
    return len(positions)


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    decks = [Path(a) for a in argv] or sorted((bh.BUILD_DIR / "slides").glob("*.slides.html"))
    if not decks:
        print("no decks: run `make slides` first, or name the decks", file=sys.stderr)
        return 2
    chromium = bh.find_chromium()
    if chromium is None:
        print("no Chromium found: apt-get install chromium, or set $CHROMIUM", file=sys.stderr)
        return 2
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=bh.CHROMIUM_ARGS)
        context = browser.new_context(viewport=bh.SCREEN)
        for deck in decks:
            opened = bh.open_deck_offline(context, deck)
            out = bh.BUILD_DIR / "contact_sheets" / f"{deck.name[:2]}.png"
            print(f"{out}: {contact_sheet(opened.page, out)} slides", flush=True)
            opened.page.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
