/**
 * Bytes an HTTP/1.1 exchange puts on the wire, as undici 7 writes and reads it (docs/metrics.md#bytes:
 * bytes sent/received, heads included). Pure arithmetic on lengths: nothing is built.
 *
 * The request side mirrors undici 7.30's `writeH1` (lib/dispatcher/client-h1.js) and
 * `processHeader` (lib/core/request.js); the head is written as latin1, one byte per UTF-16
 * code unit, the body as UTF-8:
 *
 *     `${method} ${path} HTTP/1.1\r\n`
 *     `host: ${host}\r\n`                  the given `host` header, else the origin's host[:port]
 *     `connection: keep-alive\r\n`         `connection: close\r\n` for HEAD or a `connection: close` header
 *     `${name}: ${value}\r\n`              each header (a given `content-length` or `connection` is consumed)
 *     `content-length: ${n}\r\n`           with a body; `content-length: 0` for a POST/PUT/... without one
 *     `\r\n`
 *     body
 *
 * A unit test compares it with what a node:net server receives (wire-bytes.test.ts).
 */

/** Methods undici sends `content-length: 0` for when there is no body (its `expectsPayload`). */
function expectsPayload(method: string): boolean {
  return method === 'PUT' || method === 'POST' || method === 'PATCH' || method === 'QUERY' || method === 'PROPFIND' || method === 'PROPPATCH';
}

/** Decimal digits of a whole number ≥ 0. */
function digits(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** Length of `host[:port]` in an origin `scheme://host[:port]` (what undici's Client puts in `host:`). */
export function originHostLength(origin: string): number {
  const i = origin.indexOf('://');
  return i < 0 ? origin.length : origin.length - i - 3;
}

/** Case-insensitive equality of a header name with a lower-case name, without allocating. */
function nameIs(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether a `connection` header value lists the `close` token (undici then resets the socket). */
function listsClose(value: string): boolean {
  const v = value.toLowerCase();
  if (v.indexOf('close') < 0) return false;
  for (const token of v.split(',')) if (token.trim() === 'close') return true;
  return false;
}

/**
 * Bytes undici writes for one request: the head and `bodyBytes` of body. `headers` is the flat
 * `[name, value, ...]` array given to `dispatch`.
 */
export function requestWireBytes(method: string, origin: string, path: string, headers: readonly string[] | null, bodyBytes: number): number {
  // request line: method SP path SP "HTTP/1.1" CRLF
  let n = method.length + path.length + 12;
  let host = false;
  let close = method === 'HEAD';
  if (headers !== null) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i]!;
      const value = headers[i + 1]!;
      if (nameIs(name, 'content-length')) continue; // undici writes its own from the body
      if (nameIs(name, 'connection')) {
        if (listsClose(value)) close = true;
        continue; // consumed: undici writes keep-alive or close itself
      }
      if (nameIs(name, 'host')) host = true;
      // name ": " value CRLF
      n += name.length + value.length + 4;
    }
  }
  if (!host) n += 8 + originHostLength(origin); // "host: " origin host CRLF
  n += close ? 19 : 24; // "connection: close\r\n" | "connection: keep-alive\r\n"
  if (bodyBytes > 0) n += 18 + digits(bodyBytes); // "content-length: " n CRLF
  else if (expectsPayload(method)) n += 19; // "content-length: 0\r\n"
  return n + 2 + bodyBytes; // the blank line, then the body
}

/**
 * Bytes of a response head as undici hands it to `onHeaders`: the status line
 * (`HTTP/1.1 200 OK\r\n`), each raw header `name: value\r\n`, and the blank line. Whitespace
 * the parser dropped (around values, obsolete line folding) is not counted.
 */
export function responseHeadBytes(rawHeaders: readonly Buffer[] | null | undefined, statusText: string | undefined): number {
  // "HTTP/1.1" SP 3-digit status SP reason CRLF
  let n = 15 + (statusText === undefined ? 0 : statusText.length);
  if (rawHeaders) {
    // per pair: name ": " value CRLF, i.e. 2 bytes beside each of the two
    for (let i = 0; i < rawHeaders.length; i++) n += rawHeaders[i]!.length + 2;
  }
  return n + 2;
}
