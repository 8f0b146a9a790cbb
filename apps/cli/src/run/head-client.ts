/** The head's HTTP API as the CLI uses it: JSON in and out, the API key, errors in words. */
import type { ErrorBody } from '@barrage/contracts';

/** Any failure to get an answer the CLI can use: it ends the command with exit code 2. */
export class CliError extends Error {}

export interface HeadOptions {
  /** Base URL, e.g. http://127.0.0.1:8400. */
  head: string;
  /** Sent as `Authorization: Bearer`. */
  key?: string;
}

function describeFetchFailure(base: string, e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return `cannot reach the head at ${base}: ${cause?.code ?? cause?.message ?? (e as Error).message}`;
}

function describeErrorBody(method: string, path: string, status: number, body: unknown): string {
  const error = (body as ErrorBody | null)?.error;
  if (!error) return `${method} ${path} answered ${status}`;
  const details = (error.details ?? []).map((d) => `\n  ${d.path}: ${d.message}`).join('');
  return `${method} ${path} answered ${status} ${error.code}: ${error.message}${details}`;
}

export class HeadClient {
  readonly base: string;

  constructor(private readonly opts: HeadOptions) {
    this.base = opts.head.replace(/\/+$/, '');
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.opts.key ? { authorization: `Bearer ${this.opts.key}` } : {}), ...extra };
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(this.base + path, { ...init, headers: this.headers(init.headers as Record<string, string> | undefined) });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new CliError(describeFetchFailure(this.base, e));
    }
  }

  async json<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await this.fetch(path, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      throw new CliError(`${method} ${path} answered ${res.status} with something that is not JSON: is ${this.base} a Barrage head?`);
    }
    if (!res.ok) throw new CliError(describeErrorBody(method, path, res.status, parsed));
    return parsed as T;
  }

  async text(path: string): Promise<string> {
    const res = await this.fetch(path);
    if (!res.ok) throw new CliError(`GET ${path} answered ${res.status}`);
    return res.text();
  }
}
