// Numbers and times as people read them.

const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export const int = (v) => (v === null || v === undefined ? '—' : intFormat.format(v));
export const dec = (v) => (v === null || v === undefined ? '—' : oneDecimal.format(v));

export function ms(v) {
  if (v === null || v === undefined) return '—';
  if (v >= 10_000) return `${oneDecimal.format(v / 1000)} s`;
  return `${v >= 100 ? intFormat.format(v) : oneDecimal.format(v)} ms`;
}

export const percent = (ratio) => (ratio === null || ratio === undefined ? '—' : `${oneDecimal.format(ratio * 100)} %`);

/** Local date and time, to the second. */
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${d.toLocaleTimeString(undefined, { hour12: false })}`;
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

export function duration(fromIso, toIso) {
  if (!fromIso) return '—';
  const end = toIso ? Date.parse(toIso) : Date.now();
  return clock((end - Date.parse(fromIso)) / 1000);
}

/** "3 s ago" for heartbeats. */
export function ago(iso) {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 90 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}
