// Factories and zones: what is live now, refreshed every few seconds.
import { getJson, paths } from '../api.js';
import { fill, h, table } from '../dom.js';
import { ago, int, when } from '../format.js';
import { every, problem } from './common.js';

const REFRESH_MS = 3000;

export function clusterView(root) {
  const zones = h('div', { id: 'zones' });
  const factories = h('div', { id: 'factories' });
  fill(root, h('h1', {}, 'Factories & zones'), h('h2', {}, 'Zones'), zones, h('h2', {}, 'Factories'), factories);

  return every(REFRESH_MS, async () => {
    try {
      const [z, f] = await Promise.all([getJson(paths.zones()), getJson(paths.factories())]);
      fill(zones, z.length ? table(['Zone', '#Factories', '#Capacity (minions)'], z.map(zoneRow), { class: 'grid', id: 'zones-table' }) : h('p', { class: 'muted' }, 'No zone has a live factory.'));
      const sorted = [...f].sort((a, b) => a.zone.localeCompare(b.zone) || a.id.localeCompare(b.id));
      fill(factories, sorted.length ? table(['Factory', 'Zone', 'Host', '#Capacity', '#Running chunks', 'Version', 'Started', 'Heartbeat'], sorted.map(factoryRow), { class: 'grid', id: 'factories-table' }) : h('p', { class: 'muted' }, 'No live factory. Start one with `barrage factory --zone NAME`.'));
    } catch (e) {
      fill(factories, problem(e));
    }
  });
}

const zoneRow = (z) => h('tr', { data: { zone: z.zone } }, h('td', {}, z.zone), h('td', { class: 'num' }, int(z.factories)), h('td', { class: 'num' }, int(z.capacity)));

const factoryRow = (f) =>
  h(
    'tr',
    { data: { factory: f.id } },
    h('td', { class: 'mono' }, f.id),
    h('td', {}, f.zone),
    h('td', { class: 'mono' }, f.host),
    h('td', { class: 'num' }, int(f.capacity)),
    h('td', { class: 'num', title: f.runningChunks.join('\n') }, int(f.runningChunks.length)),
    h('td', {}, f.version),
    h('td', {}, when(f.startedAt)),
    h('td', {}, ago(f.heartbeatAt)),
  );
