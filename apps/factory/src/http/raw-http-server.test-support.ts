/**
 * For tests: a raw HTTP/1.1 server on node:net that records each request exactly as it
 * arrives on the socket (head up to the blank line, then content-length bytes of body) and
 * the bytes of the answer it writes, so the factory's byte counts can be compared exactly.
 * `answer` gives the raw response for a request and, optionally, a delay before writing it.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface RawExchange {
  method: string;
  path: string;
  /** The request head, as text. */
  head: string;
  requestBytes: number;
  responseBytes: number;
}

export interface RawHttpServer {
  server: Server;
  port: number;
  origin: string;
  exchanges: RawExchange[];
  /** Sockets accepted so far. */
  sockets: number;
  close(): Promise<void>;
}

export async function startRawHttpServer(answer: (method: string, path: string) => { response: string; delayMs?: number }): Promise<RawHttpServer> {
  const state = { exchanges: [] as RawExchange[], sockets: 0 };
  const server = createServer((socket: Socket) => {
    state.sockets++;
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end + 4).toString('latin1');
        const m = /\r\ncontent-length: *(\d+)\r\n/i.exec(head);
        const total = end + 4 + (m ? Number(m[1]) : 0);
        if (buf.length < total) return;
        const [method, path] = head.split(' ') as [string, string];
        buf = buf.subarray(total);
        const { response, delayMs } = answer(method, path);
        state.exchanges.push({ method, path, head, requestBytes: total, responseBytes: Buffer.byteLength(response) });
        if (delayMs) setTimeout(() => socket.write(response), delayMs);
        else socket.write(response);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    server,
    port,
    origin: `http://127.0.0.1:${port}`,
    exchanges: state.exchanges,
    get sockets() {
      return state.sockets;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
