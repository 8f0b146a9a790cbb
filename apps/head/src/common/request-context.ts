import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The id of the request being served, for every log line written while serving it. */
export const requestContext = new AsyncLocalStorage<string>();

/** What a caller may pass as its own X-Request-Id (a UUID, a trace id, a ULID...): short, printable, no spaces. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:/+=-]{1,128}$/;

/** The caller's id when it is sane (so one id follows a request through proxies), else a new one. */
export function requestIdFor(incoming: string | string[] | undefined): string {
  const id = Array.isArray(incoming) ? incoming[0] : incoming;
  return id !== undefined && SANE_REQUEST_ID.test(id) ? id : randomUUID();
}

/** pino `mixin`: adds `requestId` to a line written while a request is served. */
export function requestIdMixin(): { requestId?: string } {
  const id = requestContext.getStore();
  return id === undefined ? {} : { requestId: id };
}
