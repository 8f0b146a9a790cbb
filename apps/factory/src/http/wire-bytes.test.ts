import { Client, type Dispatcher } from 'undici';
import { originHostLength, requestWireBytes, responseHeadBytes } from './wire-bytes';
import { startRawHttpServer } from './raw-http-server.test-support';

const RESPONSE_HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-Long: ' + 'v'.repeat(100) + '\r\n\r\n';

const rawServer = () => startRawHttpServer((method) => ({ response: method === 'HEAD' ? RESPONSE_HEAD : RESPONSE_HEAD + 'hello' }));

/** Sends one request with undici's dispatch (as the factory does); resolves with what onHeaders saw. */
function send(client: Client, opts: Dispatcher.DispatchOptions): Promise<{ rawHeaders: Buffer[]; statusText: string; body: number }> {
  return new Promise((resolve, reject) => {
    let rawHeaders: Buffer[] = [];
    let statusText = '';
    let body = 0;
    client.dispatch(opts, {
      onConnect() {},
      onHeaders(_status: number, headers: Buffer[], _resume: () => void, text: string) {
        rawHeaders = headers;
        statusText = text;
        return true;
      },
      onData(chunk: Buffer) {
        body += chunk.length;
        return true;
      },
      onComplete() {
        resolve({ rawHeaders, statusText, body });
      },
      onError: reject,
    });
  });
}

describe('requestWireBytes', () => {
  let srv: Awaited<ReturnType<typeof rawServer>>;
  let client: Client;
  let origin: string;

  beforeAll(async () => {
    srv = await rawServer();
    origin = srv.origin;
    client = new Client(origin, { pipelining: 1, keepAliveTimeout: 30_000 });
  });
  afterAll(async () => {
    await client.close();
    await srv.close();
  });

  const cases: { name: string; method: string; path: string; headers: string[] | null; body: string | null }[] = [
    { name: 'a GET without headers', method: 'GET', path: '/', headers: null, body: null },
    { name: 'a GET with a query and headers', method: 'GET', path: '/items?page=2&q=a%20b', headers: ['accept', 'application/json', 'authorization', 'Bearer abc.def', 'x-empty', ''], body: null },
    {
      name: 'a POST with a JSON body (multi-byte characters) and headers',
      method: 'POST',
      path: '/login',
      headers: ['content-type', 'application/json', 'x-request-id', '42'],
      body: JSON.stringify({ user: 'zoë', pass: '€uro', n: 'x'.repeat(1234) }),
    },
    { name: 'a POST without a body (content-length: 0)', method: 'POST', path: '/empty', headers: ['content-type', 'text/plain'], body: null },
    { name: 'a PUT with an empty string body', method: 'PUT', path: '/p', headers: null, body: '' },
    { name: 'a DELETE without a body (no content-length)', method: 'DELETE', path: '/d/1', headers: null, body: null },
    { name: 'a given host header replaces the origin', method: 'GET', path: '/', headers: ['host', 'example.test:8443'], body: null },
    { name: 'given content-length and connection: keep-alive headers are consumed', method: 'PATCH', path: '/x', headers: ['content-length', '3', 'connection', 'keep-alive'], body: 'abc' },
    { name: 'mixed-case header names are counted as given', method: 'GET', path: '/', headers: ['X-Mixed-Case', 'Value', 'Host', 'h.test'], body: null },
    { name: 'a body of exactly 10 bytes (two-digit content-length)', method: 'POST', path: '/ten', headers: null, body: '0123456789' },
    { name: 'a body of 9 bytes', method: 'POST', path: '/nine', headers: null, body: '012345678' },
    { name: 'a GET with a body', method: 'GET', path: '/get-body', headers: null, body: 'q' },
    { name: 'a HEAD (connection: close)', method: 'HEAD', path: '/h', headers: null, body: null },
    { name: 'a connection: close header', method: 'GET', path: '/bye', headers: ['connection', 'Keep-Alive, Close'], body: null },
  ];

  for (const c of cases) {
    it(`equals what the socket receives: ${c.name}`, async () => {
      const before = srv.exchanges.length;
      const r = await send(client, { origin, method: c.method as Dispatcher.HttpMethod, path: c.path, headers: c.headers ?? undefined, body: c.body });
      expect(srv.exchanges.length).toBe(before + 1);
      const got = srv.exchanges[before]!;
      expect(got.method).toBe(c.method);
      const bodyBytes = c.body === null ? 0 : Buffer.byteLength(c.body);
      expect(requestWireBytes(c.method, origin, c.path, c.headers, bodyBytes)).toBe(got.requestBytes);
      // and the response head, as onHeaders hands it over
      expect(responseHeadBytes(r.rawHeaders, r.statusText)).toBe(RESPONSE_HEAD.length);
      expect(r.body).toBe(c.method === 'HEAD' ? 0 : 5);
    });
  }

  it('counts the origin host for the host header, with or without a port', () => {
    expect(originHostLength('http://127.0.0.1:8080')).toBe('127.0.0.1:8080'.length);
    expect(originHostLength('https://example.com')).toBe('example.com'.length);
    expect(originHostLength('http://[::1]:3000')).toBe('[::1]:3000'.length);
    // "GET / HTTP/1.1\r\nhost: example.com\r\nconnection: keep-alive\r\n\r\n"
    expect(requestWireBytes('GET', 'https://example.com', '/', null, 0)).toBe(16 + 19 + 24 + 2);
  });

  it('responseHeadBytes: status line, each header line, the blank line', () => {
    const raw = [Buffer.from('Content-Length'), Buffer.from('2'), Buffer.from('X'), Buffer.from('')];
    expect(responseHeadBytes(raw, 'OK')).toBe('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX: \r\n\r\n'.length);
    expect(responseHeadBytes([], '')).toBe('HTTP/1.1 204 \r\n\r\n'.length);
    expect(responseHeadBytes(null, undefined)).toBe(17);
  });
});
