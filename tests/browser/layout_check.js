/* The layout check of test_layout.py: reads the page's geometry and returns every problem
   it sees, so that a failure lists them all. `scope` limits it to a part of the page (the
   open dialog); `phone` adds the check of the header's height (at most `headerMax`). */
({scope, phone, headerMax}) => {
  const problems = [];
  const root = scope ? document.querySelector(scope) : document;
  const doc = document.documentElement;
  const vw = doc.clientWidth;
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const px = n => Math.round(n);
  const name = el => (el.innerText || el.getAttribute('aria-label') || el.outerHTML).replace(/\s+/g, ' ').trim().slice(0, 40);
  if (doc.scrollWidth > vw) problems.push(`the page scrolls sideways: ${doc.scrollWidth}px in ${vw}px`);
  if (!scope) {
    const header = document.querySelector('.site-header').getBoundingClientRect();
    if (header.width < vw - 1) problems.push(`the header is ${px(header.width)}px of ${vw}px`);
    if (phone && header.height > headerMax) problems.push(`the header is ${px(header.height)}px tall`);
  }
  // A point of el is on screen and not under anything else (a sticky cell, the box's edge).
  const seen = el => {
    const r = el.getClientRects()[0];
    const x = Math.min(r.left + r.width / 2, r.left + 8), y = r.top + r.height / 2;
    if (x < 0 || x > vw || y < 0 || y > window.innerHeight) return false;
    const hit = document.elementFromPoint(x, y);
    return !!hit && (hit === el || el.contains(hit));
  };
  for (const table of root.querySelectorAll('table')) {
    if (!shown(table)) continue;
    const box = table.parentElement;
    const style = getComputedStyle(box);
    const scrolls = box.scrollWidth > box.clientWidth && ['auto', 'scroll'].includes(style.overflowX);
    const t = table.getBoundingClientRect(), b = box.getBoundingClientRect();
    const label = table.querySelector('caption, th') ? name(table.querySelector('caption, th')) : 'table';
    if (t.right > b.right + 1 && !scrolls) {
      problems.push(`"${label}": the table ends ${px(t.right - b.right)}px past its box`);
    }
    if (b.right > vw + 1) problems.push(`"${label}": its box ends ${px(b.right - vw)}px past the window`);
    if (scrolls && !(box.tabIndex >= 0 && box.getAttribute('role') === 'region'
                     && (box.getAttribute('aria-label') || box.getAttribute('aria-labelledby')))) {
      problems.push(`"${label}": its box scrolls but is not a named, focusable region`);
    }
    // Each data row: its name and its actions on screen together.
    for (const row of table.querySelectorAll('tbody tr')) {
      const head = row.querySelector('th[scope=row]');
      const actions = [...row.querySelectorAll('.row-actions a, .row-actions button')].filter(shown);
      if (!head || !actions.length) continue;
      row.scrollIntoView({block: 'center', inline: 'nearest'});
      const missing = [head, ...actions].filter(el => !seen(el)).map(name);
      if (missing.length) problems.push(`row "${name(head)}": not on screen with it: ${missing.join(', ')}`);
    }
    box.scrollLeft = 0;
  }
  for (const badge of root.querySelectorAll('.status')) {
    if (!shown(badge)) continue;
    const lines = badge.getClientRects().length;
    const height = badge.getBoundingClientRect().height;
    const line = parseFloat(getComputedStyle(badge).lineHeight) || 24;
    if (lines > 1 || height > line * 1.5) {
      problems.push(`the badge "${name(badge)}" takes ${Math.max(lines, Math.round(height / line))} lines`);
    }
  }
  if (scope) {
    for (const button of root.querySelectorAll('button, .button')) {
      if (!shown(button)) continue;
      if (button.scrollWidth > button.clientWidth + 1) {
        problems.push(`the button "${name(button)}" is cut: ${button.scrollWidth}px in ${button.clientWidth}px`);
      }
      const r = button.getBoundingClientRect(), d = root.getBoundingClientRect();
      if (r.left < d.left - 1 || r.right > d.right + 1) problems.push(`the button "${name(button)}" is outside the dialog`);
    }
    if (root.scrollWidth > root.clientWidth) problems.push(`the dialog scrolls sideways`);
  }
  window.scrollTo(0, 0);
  return problems;
}
