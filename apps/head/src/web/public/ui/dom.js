// Builds DOM nodes from data. Text always goes in as text (never innerHTML), so a campaign
// or factory name can hold any characters without becoming markup.

/** h('a', { href, class: 'x', data: { k: 'v' } }, 'text', child, [more]) */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'data') for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    else if (name === 'on') for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A table; a header written `'#Requests'` is a number column (right-aligned). */
export function table(headers, rows, props = {}) {
  const th = (t) => (t.startsWith('#') ? h('th', { class: 'num' }, t.slice(1)) : h('th', {}, t));
  return h('table', props, h('thead', {}, h('tr', {}, headers.map(th))), h('tbody', {}, rows));
}

export function badge(value, kind = value) {
  return value ? h('span', { class: `badge badge-${kind}` }, value) : h('span', { class: 'muted' }, '—');
}
