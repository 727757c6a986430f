// What a person sees wrong on a phone page, found by measuring the rendered lines. Two checks,
// each a function for page.evaluate; a line of two slashes and two dashes separates them.
//
// 1. Codes, numbers, dates and short words split across lines: every run of letters and digits
//    (with the - / : . % ± that belong to codes, dates and figures) of 3 characters or more, and
//    every text of 2–4 Chinese characters alone in its element, must lie on one line box; and no
//    separator dot (A · B) may begin a line.
() => {
  const found = [];
  const TOKEN = /[0-9A-Za-z±][0-9A-Za-z\-/:.%\u00a0]*[0-9A-Za-z%]/g;
  const lines = (range) => new Set([...range.getClientRects()].filter((r) => r.width > 1).map((r) => Math.round(r.top))).size;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || el.closest("script, style, textarea, pre, svg, [hidden], .hash, .allow-break, [aria-hidden=true]")) { continue; }
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) { continue; }
    const text = node.textContent;
    const range = document.createRange();
    if (/^\s*[\u4e00-\u9fff]{2,4}\s*$/.test(text)) {
      range.selectNodeContents(node);
      if (lines(range) > 1) { found.push(text.trim()); }
      continue;
    }
    for (const m of text.matchAll(TOKEN)) {
      if (m[0].length < 3) { continue; }
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      if (lines(range) > 1) { found.push(m[0]); }
    }
    // A separator dot that begins a line (A · B broken before the dot, or B put under a block A).
    const top = (at) => { range.setStart(node, at); range.setEnd(node, at + 1); return range.getBoundingClientRect().top; };
    for (const m of text.matchAll(/·/g)) {
      const before = text.slice(0, m.index).search(/\S\s*$/);
      const prev = node.previousSibling;
      const afterBlock = before < 0 && prev && prev.nodeType === 1 && getComputedStyle(prev).display === "block";
      if (afterBlock || (before >= 0 && top(m.index) > top(before) + 2)) {
        found.push(text.slice(m.index, m.index + 12).trim());
      }
    }
  }
  return found;
}
//--
// 2. The page's main action: the primary buttons a thumb reaches without scrolling — in the
//    first screen, or in a bar fixed or sticky at the bottom.
() => {
  const screen = window.innerHeight;
  const fixedBar = (el) => {
    for (let n = el; n && n !== document.body; n = n.parentElement) {
      const pos = getComputedStyle(n).position;
      if (pos === "fixed" || pos === "sticky") { return true; }
    }
    return false;
  };
  // An open form's summary is its heading then, not a button.
  return [...document.querySelectorAll(".button.primary:not(details[open] > summary)")]
    // checkVisibility: not hidden, and not inside a closed <details> (whose content Chromium
    // lays out but does not show).
    .filter((el) => el.checkVisibility({ visibilityProperty: true }))
    .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && (r.top < screen || fixedBar(el)); })
    .map((el) => (el.textContent || el.value || "").trim().slice(0, 20));
}
