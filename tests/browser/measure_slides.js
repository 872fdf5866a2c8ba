// What a slide really shows on the screen, measured in the browser (reveal.js decks and RISE alike).
//
// Loaded into a page as `window.courseFit` by browser_helpers.install_fit_measure(). For each slide:
//   * every fragment is made visible and every transition and animation is switched off first;
//   * `bottom`: the lowest point, in viewport pixels, of any visible element or line of text on it.
//     Elements are measured with their content: text inside a box that clips or scrolls (a code cell
//     cut after four lines) counts where it would be drawn, not where the box ends;
//   * `min_text` / `min_code`: the smallest rendered font size (CSS font size × the slide's scale)
//     of visible text, for prose and for code (monospace or inside pre/code) separately;
//   * `wide`: boxes whose content is cut off on the right (they scroll sideways).
// Invisible things do not count: speaker notes (display: none), MathJax's screen-reader copies
// (clipped to 1 px), anything transparent or visibility: hidden.
(() => {
  const frames = (n = 2) => new Promise(resolve => {
    const step = k => (k === 0 ? resolve() : requestAnimationFrame(() => step(k - 1)));
    step(n);
  });

  // MathJax 2 (the decks) typesets in queues of its own: nbconvert's template calls
  // MathJax.Hub.Rerender(slide) on every slide change, and the formulas take their final size
  // only when it ends. Count the actions in flight through MathJax's own messages.
  const mathjax = { busy: 0 };
  if (window.MathJax && window.MathJax.Hub && window.MathJax.Hub.Register) {
    for (const action of ['Typeset', 'Rerender', 'Reprocess', 'Update']) {
      window.MathJax.Hub.Register.MessageHook(`Begin ${action}`, () => { mathjax.busy++; });
      window.MathJax.Hub.Register.MessageHook(`End ${action}`, () => { mathjax.busy = Math.max(0, mathjax.busy - 1); });
    }
  }

  const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

  async function mathjaxIdle(timeoutMs = 10000) {
    if (!(window.MathJax && window.MathJax.Hub)) return;
    await new Promise(resolve => window.MathJax.Hub.Queue(resolve));
    const deadline = performance.now() + timeoutMs;
    while (mathjax.busy > 0 && performance.now() < deadline) await sleep(20);
  }

  // The layout is still when the slide's size and its number of boxes stay the same for 3 frames.
  async function stillLayout(section, maxFrames = 60) {
    const signature = () => `${section.scrollHeight}x${section.scrollWidth}:${section.getElementsByTagName('*').length}`;
    let last = signature(), same = 0;
    for (let i = 0; i < maxFrames && same < 3; i++) {
      await frames(1);
      const now = signature();
      same = now === last ? same + 1 : 0;
      last = now;
    }
  }

  async function settle(section) {
    await frames(2);  // slide-change handlers have run and started whatever they start
    await mathjaxIdle();
    const images = Array.from(section.querySelectorAll('img'));
    await Promise.all(images.map(img => (img.decode ? img.decode().catch(() => null) : null)));
    if (document.fonts && document.fonts.ready) await document.fonts.ready;
    await stillLayout(section);
    await mathjaxIdle();
  }

  function stillness() {
    if (document.getElementById('course-fit-no-motion')) return;
    const style = document.createElement('style');
    style.id = 'course-fit-no-motion';
    style.textContent = '*, *::before, *::after { transition: none !important; animation: none !important; }';
    document.head.appendChild(style);
  }

  function showFragments(section) {
    section.querySelectorAll('.fragment').forEach(f => f.classList.add('visible'));
  }

  function visibility(section) {
    const memo = new Map();
    const visible = el => {
      if (el === section) return true;
      if (memo.has(el)) return memo.get(el);
      let ok = el.getClientRects().length > 0;
      if (ok) {
        const cs = getComputedStyle(el);
        ok = cs.visibility !== 'hidden' && parseFloat(cs.opacity) > 0 && cs.clip === 'auto'
          && (cs.clipPath === 'none' || cs.clipPath === '')
          && (!el.parentElement || visible(el.parentElement));
      }
      memo.set(el, ok);
      return ok;
    };
    return visible;
  }

  const CODE = 'pre, code, kbd, samp, .jp-InputArea-editor, .highlight, .cm-editor, .CodeMirror';
  const MONOSPACE = /mono|courier|consolas|menlo/i;

  // The text node inside `el` that is drawn lowest (for a box: which line an author should look for).
  function lowestText(el) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let best = null, bottom = -Infinity;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      range.selectNodeContents(node);
      const rect = range.getBoundingClientRect();
      if (rect.height > 0 && rect.bottom > bottom) { bottom = rect.bottom; best = node; }
    }
    return best;
  }

  // Which cell `el` belongs to, what kind of thing it is, and a sample of its text.
  function describe(el, node = null) {
    node = node || lowestText(el);
    const at = node ? node.parentElement : (el.querySelector('.jp-Cell') || el);
    const cell = at.closest('[id^="cell-id="], .jp-Cell');
    const id = cell && cell.id && cell.id.startsWith('cell-id=') ? cell.id.slice('cell-id='.length) : null;
    // JupyterLab (RISE) numbers its cells; nbconvert's decks carry the notebook's cell ids instead
    const listed = cell && cell.dataset ? cell.dataset.windowedListIndex : undefined;
    const kind = at.closest('.jp-OutputArea') ? 'output'
      : at.closest('.jp-MarkdownCell') ? 'markdown'
      : at.closest('.jp-CodeCell') ? 'code' : at.tagName.toLowerCase();
    let text = node ? node.textContent : '';
    if (text.trim().length < 8) {  // a lone symbol (a formula's letter): show the line it sits in
      const block = at.closest('p, li, pre, td, th, h1, h2, h3, h4, .jp-RenderedText');
      text = block ? block.textContent : text;
    }
    const sample = text.replace(/\s+/g, ' ').trim().slice(0, 60);
    return { cell_id: id, cell_index: listed === undefined ? null : Number(listed), kind,
             text: sample || `<${el.tagName.toLowerCase()}>` };
  }

  function textFacts(section, visible, scale) {
    const facts = { bottom: -Infinity, lowest: null, right: -Infinity, min_text: null, min_code: null };
    const walker = document.createTreeWalker(section, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.textContent.trim() || !el || !visible(el)) continue;
      range.selectNodeContents(node);
      const rects = Array.from(range.getClientRects()).filter(r => r.width > 0 && r.height > 0);
      if (!rects.length) continue;
      const cs = getComputedStyle(el);
      const px = Math.round(parseFloat(cs.fontSize) * scale * 10) / 10;
      const isCode = !!el.closest(CODE) || MONOSPACE.test(cs.fontFamily);
      const key = isCode ? 'min_code' : 'min_text';
      if (!facts[key] || px < facts[key].px) facts[key] = { px, ...describe(el, node) };
      for (const r of rects) {
        if (r.bottom > facts.bottom) { facts.bottom = r.bottom; facts.lowest = describe(el, node); }
        facts.right = Math.max(facts.right, r.right);
      }
    }
    return facts;
  }

  function boxFacts(section, visible, scale, facts) {
    const wide = [];
    for (const el of section.querySelectorAll('*')) {
      if (!visible(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) continue;
      // a box that clips or scrolls its content: where its content ends, not where the box does
      const clips = getComputedStyle(el).overflowY !== 'visible' && el.scrollHeight > el.clientHeight + 1;
      const bottom = clips ? Math.max(r.bottom, r.top + (el.clientTop + el.scrollHeight - el.scrollTop) * scale)
        : r.bottom;
      if (bottom > facts.bottom + 0.5) { facts.bottom = bottom; facts.lowest = describe(el); }
      facts.right = Math.max(facts.right, r.right);
      if (el.matches('pre, table, .jp-OutputArea-output, .highlight, img, svg, mjx-container, .MathJax_CHTML')
          && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 2) {
        wide.push({ ...describe(el), overflow: Math.round((el.scrollWidth - el.clientWidth) * scale) });
      }
    }
    return wide;
  }

  // MathJax 2 formulas shown twice: a fast preview left visible next to the typeset formula, or one
  // formula frame holding two typeset copies (seen after nbconvert's Rerender on slide change).
  function doubledFormulas(section, visible) {
    const shown = el => visible(el) && el.getBoundingClientRect().width > 0;
    const previews = Array.from(section.querySelectorAll('.MathJax_Preview'))
      .filter(p => Array.from(p.querySelectorAll('*')).some(shown) || (p.textContent.trim() && shown(p.parentElement)
        && Array.from(p.getClientRects()).some(r => r.width > 0)));
    const frames = Array.from(section.querySelectorAll('.MathJax_CHTML'))
      .filter(f => visible(f) && f.querySelectorAll(':scope > .mjx-math').length > 1);
    return previews.length + frames.length;
  }

  async function measureSection(section, scale) {
    stillness();
    showFragments(section);
    await settle(section);
    const visible = visibility(section);
    const facts = textFacts(section, visible, scale);
    const wide = boxFacts(section, visible, scale, facts);
    const r = section.getBoundingClientRect();
    return {
      id: section.id || null,
      bottom: Math.round(facts.bottom * 10) / 10,
      top: Math.round(r.top * 10) / 10,
      right: Math.round(facts.right * 10) / 10,
      lowest: facts.lowest,
      min_text: facts.min_text,
      min_code: facts.min_code,
      wide,
      doubled_formulas: doubledFormulas(section, visible),
      viewport: { width: window.innerWidth, height: window.innerHeight },
    };
  }

  function scaleOf(section) {
    if (window.Reveal && window.Reveal.getScale) return window.Reveal.getScale() || 1;
    const slides = section.closest('.slides');
    return slides && slides.offsetWidth ? slides.getBoundingClientRect().width / slides.offsetWidth : 1;
  }

  // The slide RISE (or a deck) is showing now.
  async function measurePresent() {
    const present = Array.from(document.querySelectorAll('.reveal .slides section.present'))
      .filter(s => !s.querySelector(':scope > section'));  // the inner slide of a vertical stack
    const section = present[present.length - 1];
    if (!section) throw new Error('no slide is shown (.reveal .slides section.present)');
    return measureSection(section, scaleOf(section));
  }

  // Every slide of an exported deck, through reveal.js's API (window.Reveal).
  async function measureDeck() {
    await mathjaxIdle();  // the first typesetting of the whole deck, before any slide change
    window.Reveal.configure({ transition: 'none', backgroundTransition: 'none' });
    const slides = [];
    const horizontals = window.Reveal.getHorizontalSlides();
    for (let h = 0; h < horizontals.length; h++) {
      const stack = horizontals[h].querySelectorAll(':scope > section');
      const verticals = stack.length ? Array.from(stack) : [horizontals[h]];
      for (let v = 0; v < verticals.length; v++) {
        window.Reveal.slide(h, v, Number.MAX_SAFE_INTEGER);  // every fragment shown
        await frames(1);
        const measured = await measureSection(verticals[v], scaleOf(verticals[v]));
        slides.push({ h, v, index: slides.length, ...measured });
      }
    }
    window.Reveal.slide(0, 0);
    return { width: window.Reveal.getConfig().width, height: window.Reveal.getConfig().height, slides };
  }

  return { measureSection, measurePresent, measureDeck };
})()
