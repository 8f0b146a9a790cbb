import * as net from 'node:net';

/** Sends `payload` to 127.0.0.1:port and resolves with the first bytes received (null: no answer). */
export function tcpExchange(port: number, payload: Buffer | string, timeoutMs = 1000): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let done = false;
    const finish = (v: Buffer | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.once('connect', () => socket.write(payload));
    socket.once('data', (d) => finish(d));
    socket.once('error', () => finish(null));
    socket.once('close', () => finish(null));
  });
}
