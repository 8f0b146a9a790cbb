// The page talks to the head like any client: every request goes through here, with the
// API key (when one is set) as `Authorization: Bearer`. EventSource and plain links cannot
// send headers, so their URLs carry the key as the `access_token` query parameter instead.

const STORAGE_KEY = 'barrage.apiKey';
/** The key when localStorage is disabled: it lasts until the page is reloaded. */
let memoryKey = '';

export function apiKey() {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? '';
  } catch {
    return ''; // storage disabled: run without a key
  }
}

export function setApiKey(value) {
  try {
    if (value) localStorage.setItem(STORAGE_KEY, value);
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    memoryKey = value;
  }
}
const currentKey = () => apiKey() || memoryKey;

/** An answer in the API's error shape (docs/api.md#errors), or a network failure (status 0). */
export class ApiFailure extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function getJson(path, { signal } = {}) {
  return request('GET', path, undefined, signal);
}

async function request(method, path, body, signal) {
  const headers = { accept: 'application/json' };
  const key = currentKey();
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: 'no-store' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiFailure(0, 'NETWORK', 'the head did not answer');
  }
  const text = await res.text();
  const data = text ? safeJson(text) : null;
  if (!res.ok) {
    const err = data && data.error ? data.error : { code: 'HTTP', message: `${res.status} ${res.statusText}` };
    throw new ApiFailure(res.status, err.code, err.message);
  }
  return data;
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A link the browser follows by itself (report page, CSV): it carries the key in its URL. */
export function withToken(path) {
  const key = currentKey();
  if (!key) return path;
  return `${path}${path.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(key)}`;
}

/** The campaign's Server-Sent Events stream (docs/metrics.md#live-stream); the browser resumes with Last-Event-ID by itself. */
export function openLive(campaignKey) {
  return new EventSource(withToken(`/campaigns/${encodeURIComponent(campaignKey)}/live`));
}

export const paths = {
  campaigns: (query) => `/campaigns?${new URLSearchParams(query)}`,
  campaign: (key) => `/campaigns/${encodeURIComponent(key)}`,
  execution: (key) => `/campaigns/${encodeURIComponent(key)}/execution`,
  definition: (key) => `/campaigns/${encodeURIComponent(key)}/definition`,
  reportPage: (key) => `/campaigns/${encodeURIComponent(key)}/report.html`,
  intervalsCsv: (key) => `/campaigns/${encodeURIComponent(key)}/intervals.csv`,
  resultsCsv: (key) => `/campaigns/${encodeURIComponent(key)}/results.csv`,
  logsTxt: (key) => `/campaigns/${encodeURIComponent(key)}/logs.txt`,
  factories: () => '/factories',
  zones: () => '/zones',
};
