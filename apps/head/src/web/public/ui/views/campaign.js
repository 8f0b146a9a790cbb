// One campaign: its state, live numbers and charts over the SSE stream, thresholds and their
// verdict, the execution (zones → chunks → factories), and links to the report and CSVs.
import { ApiFailure, getJson, openLive, paths, withToken } from '../api.js';
import { LiveChart } from '../charts.js';
import { badge, fill, h, table } from '../dom.js';
import { dec, duration, int, ms, percent, when } from '../format.js';
import { TERMINAL, every, problem } from './common.js';

const EXECUTION_REFRESH_MS = 2000;
const SUMMARY_REFRESH_MS = 5000;

const chartSpecs = [
  { id: 'chart-rps', title: 'Requests/s', unit: dec, series: [{ label: 'requests/s', color: '#1f6feb' }], pick: (i) => [i.rps] },
  {
    id: 'chart-latency',
    title: 'Latency (per interval)',
    unit: ms,
    series: [
      { label: 'p50', color: '#2da44e' },
      { label: 'p95', color: '#d29922' },
      { label: 'p99', color: '#cf222e' },
    ],
    pick: (i) => [i.latencyP50Ms, i.latencyP95Ms, i.latencyP99Ms],
  },
  { id: 'chart-minions', title: 'Active minions', unit: int, series: [{ label: 'minions', color: '#8250df' }], pick: (i) => [i.minionsActive] },
  { id: 'chart-errors', title: 'Errors (per interval)', unit: int, series: [{ label: 'errors', color: '#cf222e' }, { label: 'dropped', color: '#6e7781' }], pick: (i) => [i.failures, i.droppedIterations] },
];

export function campaignView(root, key) {
  const ui = layout(key);
  fill(root, ui.page);
  const charts = chartSpecs.map((spec) => ({ spec, chart: new LiveChart(spec) }));
  for (const { chart } of charts) ui.charts.append(chart.element);
  for (const { chart } of charts) chart.mount();

  const state = { summary: null, definitions: [], breaches: [], lastOffset: -1, complete: null, stopped: false };
  const stops = [];

  const renderAll = () => {
    if (state.summary) renderHeader(ui, state.summary);
    renderThresholds(ui, state);
  };
  let stream = null;
  const loadSummary = async () => {
    try {
      state.summary = await getJson(paths.campaign(key));
      fill(ui.notice);
      renderAll();
      if (!stream && !state.stopped) stream = openStream(); // only for a campaign that exists: no failed stream to report
      return state.summary;
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 404) {
        fill(root, h('h1', {}, 'Campaign not found'), h('p', {}, `No campaign has the key “${key}”. `, h('a', { href: '#/campaigns' }, 'See the campaigns.')));
        stopAll();
      } else fill(ui.notice, problem(e));
      return null;
    }
  };
  const loadExecution = async () => {
    try {
      renderExecution(ui, await getJson(paths.execution(key)));
    } catch (e) {
      fill(ui.execution, problem(e));
    }
  };

  // The summary and execution are polled until the campaign ends; the live numbers come from the stream.
  const polls = [];
  const stopPolls = () => polls.forEach((s) => s());
  const ended = () => state.summary && TERMINAL.includes(state.summary.status);
  polls.push(every(SUMMARY_REFRESH_MS, async () => ((await loadSummary()) && ended() ? stopPolls() : null)));
  polls.push(every(EXECUTION_REFRESH_MS, async () => {
    await loadExecution();
    if (ended()) stopPolls();
  }));
  stops.push(stopPolls, () => stream?.close());

  getJson(paths.definition(key)).then(
    (d) => {
      state.definitions = d.thresholds ?? [];
      renderThresholds(ui, state);
    },
    () => {}, // the summary's poll shows why the campaign cannot be read
  );

  function openStream() {
    const es = openLive(key);
    es.addEventListener('open', () => fill(ui.streamState, 'live'));
    es.addEventListener('status', (e) => {
      const s = JSON.parse(e.data);
      if (state.summary && state.summary.status !== s.status) {
        state.summary.status = s.status;
        renderHeader(ui, state.summary);
      }
      if (TERMINAL.includes(s.status)) void loadSummary();
    });
    es.addEventListener('metrics', (e) => {
      const m = JSON.parse(e.data);
      if (m.offset <= state.lastOffset) return; // already drawn
      state.lastOffset = m.offset;
      for (const { spec, chart } of charts) chart.push(m.elapsedSeconds, spec.pick(m.interval));
      renderNumbers(ui, m);
    });
    es.addEventListener('threshold', (e) => {
      state.breaches.push(JSON.parse(e.data));
      renderThresholds(ui, state);
    });
    es.addEventListener('complete', async (e) => {
      es.close(); // otherwise EventSource reconnects once the server ends the stream
      state.complete = JSON.parse(e.data);
      fill(ui.streamState, 'ended');
      setNumber(ui.numbers.requests, state.complete.totalRequests, int);
      setNumber(ui.numbers.errors, state.complete.totalErrors, int);
      await loadSummary();
      await loadExecution();
    });
    es.addEventListener('error', (e) => {
      if (e.data) {
        // The server's own `error` event: the campaign was deleted.
        es.close();
        fill(ui.notice, h('p', { class: 'problem' }, JSON.parse(e.data).error.message));
        fill(ui.streamState, 'closed');
      } else if (es.readyState === EventSource.CLOSED) {
        fill(ui.streamState, 'closed (reload the page to retry)');
        void loadSummary(); // shows why, when the head refuses (a missing or wrong API key)
      } else fill(ui.streamState, 'reconnecting…');
    });
    return es;
  }

  function stopAll() {
    if (state.stopped) return;
    state.stopped = true;
    stops.forEach((s) => s());
    charts.forEach(({ chart }) => chart.destroy());
  }
  return stopAll;
}

function layout(key) {
  const number = (id, label) => {
    const value = h('div', { class: 'value', id, data: { value: '' } }, '—');
    return { value, tile: h('div', { class: 'tile' }, h('div', { class: 'label' }, label), value) };
  };
  const numbers = {
    requests: number('live-requests', 'Requests'),
    rps: number('live-rps', 'Requests/s now'),
    avgRps: number('live-avg-rps', 'Requests/s average'),
    p50: number('live-p50', 'p50'),
    p95: number('live-p95', 'p95'),
    p99: number('live-p99', 'p99'),
    minions: number('live-minions', 'Active minions'),
    errors: number('live-errors', 'Errors'),
    errorRate: number('live-error-rate', 'Error rate'),
    elapsed: number('live-elapsed', 'Elapsed'),
  };
  const ui = {
    title: h('h1', { id: 'campaign-name' }, key),
    meta: h('div', { class: 'meta', id: 'campaign-meta' }),
    links: h('div', { class: 'links', id: 'campaign-links' }),
    notice: h('div', { id: 'campaign-notice' }),
    streamState: h('span', { id: 'stream-state', class: 'muted' }, 'connecting…'),
    numbers: Object.fromEntries(Object.entries(numbers).map(([k, v]) => [k, v.value])),
    charts: h('div', { class: 'charts', id: 'charts' }),
    verdict: h('div', { id: 'verdict' }),
    thresholds: h('div', { id: 'thresholds' }),
    execution: h('div', { id: 'execution' }, h('p', { class: 'muted' }, 'Loading…')),
  };
  ui.page = h(
    'div',
    { class: 'campaign' },
    h('p', { class: 'crumbs' }, h('a', { href: '#/campaigns' }, '← Campaigns')),
    ui.title,
    ui.meta,
    ui.links,
    ui.notice,
    h('h2', {}, 'Live ', ui.streamState),
    h('div', { class: 'tiles' }, Object.values(numbers).map((n) => n.tile)),
    ui.charts,
    h('h2', {}, 'Thresholds'),
    ui.verdict,
    ui.thresholds,
    h('h2', {}, 'Execution'),
    ui.execution,
  );
  return ui;
}

function renderHeader(ui, c) {
  fill(ui.title, c.name);
  document.title = `${c.name} · Barrage`;
  fill(
    ui.meta,
    h('span', { class: 'mono' }, c.key),
    ' ',
    h('span', { id: 'campaign-status' }, badge(c.status)),
    ' ',
    h('span', { id: 'campaign-result' }, badge(c.result)),
    h('span', { class: 'muted' }, ` created ${when(c.createdAt)} · started ${when(c.startedAt)} · ${c.endedAt ? `ended ${when(c.endedAt)}` : 'running for'} ${c.startedAt ? `(${duration(c.startedAt, c.endedAt)})` : ''}`),
    c.note ? h('p', { class: 'note' }, c.note) : null,
    c.failureReason ? h('p', { class: 'problem', id: 'failure-reason' }, c.failureReason) : null,
  );
  const ended = TERMINAL.includes(c.status);
  fill(
    ui.links,
    ended ? h('a', { href: withToken(paths.reportPage(c.key)), id: 'link-report' }, 'Report page') : h('span', { class: 'muted', title: 'available once the campaign has ended' }, 'Report page'),
    ' · ',
    h('a', { href: withToken(paths.intervalsCsv(c.key)), id: 'link-intervals-csv' }, 'intervals.csv'),
    ' · ',
    h('a', { href: withToken(paths.resultsCsv(c.key)), id: 'link-results-csv' }, 'results.csv'),
    ' · ',
    h('a', { href: withToken(paths.logsTxt(c.key)), id: 'link-logs' }, 'event log'),
  );
}

function setNumber(el, value, format) {
  el.dataset.value = String(value);
  el.textContent = format(value);
}

function renderNumbers(ui, m) {
  const n = ui.numbers;
  setNumber(n.requests, m.totalRequests, int);
  setNumber(n.rps, m.currentRps, dec);
  setNumber(n.avgRps, m.avgRps, dec);
  setNumber(n.p50, m.latencyP50Ms, ms);
  setNumber(n.p95, m.latencyP95Ms, ms);
  setNumber(n.p99, m.latencyP99Ms, ms);
  setNumber(n.minions, m.activeMinions, int);
  setNumber(n.errors, m.totalErrors, int);
  setNumber(n.errorRate, m.errorRate, percent);
  setNumber(n.elapsed, m.elapsedSeconds, (s) => `${dec(s)} s`);
}

/** How to show an observed value: latencies in ms, ratios in %, the rest as numbers. */
function observed(expression, value) {
  if (value === null || value === undefined) return 'no data';
  const metric = expression.trim().split(/[\s<>=!]/)[0];
  if (/^(p|avg|mean|min|max|med)/.test(metric)) return ms(value);
  if (metric === 'errorRate' || metric === 'checks') return percent(value);
  return dec(value);
}

const target = (t) => (t.scenario === null ? 'campaign' : t.step === null ? t.scenario : `${t.scenario} › ${t.step}`);
const sameThreshold = (a, b) => a.scenario === b.scenario && a.step === b.step && a.expression === b.expression;

function renderThresholds(ui, state) {
  const c = state.summary;
  const outcomes = c && TERMINAL.includes(c.status) && Array.isArray(c.resultDetails) ? c.resultDetails : null;
  fill(ui.verdict, c && c.result ? h('p', { class: `verdict verdict-${c.result}`, id: 'verdict-text' }, verdictText(c)) : null);
  if (outcomes) {
    fill(ui.thresholds, outcomes.length ? table(['Applies to', 'Threshold', '#Observed', 'Verdict'], outcomes.map((o) => h('tr', { data: { passed: o.passed } }, h('td', {}, target(o)), h('td', { class: 'mono' }, o.expression, o.abortOnFail ? ' (aborts on failure)' : ''), h('td', { class: 'num' }, observed(o.expression, o.observed)), h('td', {}, badge(o.passed ? 'passed' : 'failed')))), { class: 'grid', id: 'threshold-table' }) : h('p', { class: 'muted' }, 'No thresholds.'));
    return;
  }
  if (!state.definitions.length) return void fill(ui.thresholds, h('p', { class: 'muted' }, 'No thresholds.'));
  const rows = state.definitions.map((t) => {
    const breach = [...state.breaches].reverse().find((b) => sameThreshold(b, t));
    return h('tr', {}, h('td', {}, target(t)), h('td', { class: 'mono' }, t.expression, t.abortOnFail ? ' (aborts on failure)' : ''), h('td', { class: 'num' }, breach ? observed(t.expression, breach.observed) : '—'), h('td', {}, breach ? badge(`breached ${when(breach.at)}`, 'failed') : h('span', { class: 'muted' }, 'judged at the end')));
  });
  fill(ui.thresholds, table(['Applies to', 'Threshold', '#Observed at breach', 'So far'], rows, { class: 'grid', id: 'threshold-table' }));
}

function verdictText(c) {
  const word = { passed: 'PASSED', failed: 'FAILED', error: 'ERROR' }[c.result] ?? c.result.toUpperCase();
  const details = Array.isArray(c.resultDetails) ? c.resultDetails : [];
  const failed = details.filter((d) => !d.passed).length;
  return details.length ? `${word}: ${details.length - failed} of ${details.length} thresholds passed` : word;
}

function renderExecution(ui, ex) {
  const rows = [];
  for (const zone of ex.zones) {
    zone.chunks.forEach((chunk, i) => {
      rows.push(
        h(
          'tr',
          { data: { zone: zone.zone, chunk: chunk.id } },
          i === 0 ? h('td', { rowspan: zone.chunks.length, class: 'zone-cell' }, zone.zone) : null,
          h('td', {}, `${chunk.scenario} #${chunk.index}`),
          h('td', { class: 'num' }, int(chunk.minions)),
          h('td', {}, badge(chunk.status), chunk.error ? h('div', { class: 'problem' }, chunk.error) : null),
          h('td', { class: 'mono factory-cell' }, chunk.factoryId ?? '—', chunk.host ? h('div', { class: 'muted' }, chunk.host) : null),
          h('td', {}, when(chunk.startedAt)),
          h('td', {}, when(chunk.finishedAt)),
          h('td', { class: 'num' }, int(chunk.iterations)),
          h('td', { class: 'num', title: chunk.runs.map((r) => `${r.factoryId}: ${r.outcome}`).join('\n') }, int(chunk.runs.length)),
        ),
      );
    });
  }
  fill(ui.execution, rows.length ? table(['Zone', 'Chunk', '#Minions', 'Status', 'Factory', 'Started', 'Finished', '#Iterations', '#Runs'], rows, { class: 'grid', id: 'execution-table' }) : h('p', { class: 'muted' }, 'No chunk allocated yet.'));
}
