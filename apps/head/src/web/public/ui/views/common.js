// What every view shares: polling that stops with the view, and how failures are shown.
import { ApiFailure } from '../api.js';
import { h } from '../dom.js';

/**
 * Calls `fn` now and then every `ms` until the returned stop is called; one call at a time,
 * and none while the tab is hidden (a forgotten tab does not poll).
 */
export function every(ms, fn) {
  let timer = null;
  let stopped = false;
  let ran = false;
  const tick = async () => {
    try {
      if (!ran || !document.hidden) {
        ran = true;
        await fn();
      }
    } finally {
      if (!stopped) timer = setTimeout(tick, ms);
    }
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** A failure as a line of text, with the hint a user needs for 401/403. */
export function problem(e) {
  if (!(e instanceof ApiFailure)) return h('p', { class: 'problem' }, `Something went wrong: ${e.message}`);
  const hint = e.status === 401 || e.status === 403 ? ' Enter an API key above.' : e.status === 0 ? ' Retrying…' : '';
  return h('p', { class: 'problem', data: { status: e.status } }, `${e.message}.${hint}`);
}

export const TERMINAL = ['completed', 'aborted', 'failed'];
