// The campaigns list: newest first, refreshed every few seconds, with a filter.
import { getJson, paths, withToken } from '../api.js';
import { badge, fill, h, table } from '../dom.js';
import { duration, int, when } from '../format.js';
import { TERMINAL, every, problem } from './common.js';

const REFRESH_MS = 3000;
const PAGE_SIZE = 50;

export function campaignsView(root) {
  let filter = '';
  const input = h('input', { type: 'search', id: 'campaign-filter', placeholder: 'filter: name, key, note, scenario (* and ? allowed)' });
  const status = h('p', { class: 'muted', id: 'campaigns-status' });
  const body = h('div', { id: 'campaigns' });
  fill(root, h('div', { class: 'title-row' }, h('h1', {}, 'Campaigns'), input), status, body);

  const load = async () => {
    try {
      const query = { sort: 'creation:desc', page: '0', size: String(PAGE_SIZE), ...(filter ? { filter } : {}) };
      const page = await getJson(paths.campaigns(query));
      fill(body, page.elements.length ? table(['Campaign', 'Status', 'Result', 'Started', 'Duration', '#Requests', '#Errors', 'Results'], page.elements.map(row), { class: 'grid', id: 'campaigns-table' }) : h('p', { class: 'muted' }, filter ? 'No campaign matches.' : 'No campaign yet. Start one with the API or `barrage run`.'));
      fill(status, `${int(page.totalElements)} campaign${page.totalElements === 1 ? '' : 's'}${page.totalElements > page.elements.length ? `, the newest ${page.elements.length} shown` : ''} · refreshed ${new Date().toLocaleTimeString(undefined, { hour12: false })}`);
    } catch (e) {
      fill(body, problem(e));
    }
  };
  let debounce = null;
  input.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      filter = input.value.trim();
      void load();
    }, 300);
  });
  const stop = every(REFRESH_MS, load);
  return () => {
    stop();
    clearTimeout(debounce);
  };
}

function row(c) {
  const href = `#/campaigns/${encodeURIComponent(c.key)}`;
  const ended = TERMINAL.includes(c.status);
  return h(
    'tr',
    { data: { key: c.key, status: c.status } },
    h('td', {}, h('a', { href, class: 'campaign-link' }, c.name), h('div', { class: 'muted mono' }, c.key)),
    h('td', {}, badge(c.status)),
    h('td', {}, badge(c.result)),
    h('td', {}, when(c.startedAt)),
    h('td', {}, c.startedAt ? duration(c.startedAt, c.endedAt) : '—'),
    h('td', { class: 'num' }, int(c.totals.requests)),
    h('td', { class: 'num' }, int(c.totals.failures)),
    h('td', { class: 'links' }, h('a', { href }, 'live'), ended ? [' · ', h('a', { href: withToken(paths.reportPage(c.key)) }, 'report'), ' · ', h('a', { href: withToken(paths.resultsCsv(c.key)) }, 'CSV')] : null),
  );
}
