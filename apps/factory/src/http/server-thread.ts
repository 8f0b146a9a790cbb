import { Worker } from 'node:worker_threads';

/**
 * Starts `source` (CommonJS, run with `eval`) on a worker thread of its own and resolves once
 * it reports its server listening: its first message is `{ port }`, or `{ listenError }`. A
 * thread that fails or exits before that is terminated and the promise rejects with `what`.
 *
 * Why servers get a thread in a factory: a server's sockets run through the same Node stream
 * code as the minions' undici sockets, with objects of other shapes, and once V8 has seen both
 * that code stays megamorphic for the life of the process (bench/README.md, "Servers in the
 * factory's isolate"). On its own thread a server's feedback stays in its own isolate.
 */
export async function startServerThread(what: string, source: string, workerData: unknown = null): Promise<{ worker: Worker; port: number }> {
  // A small heap: such a server holds a few sockets and nothing else.
  const worker = new Worker(source, { eval: true, workerData, resourceLimits: { maxOldGenerationSizeMb: 32 } });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('message', (m: { port?: number; listenError?: string }) => (m.port !== undefined ? resolve(m.port) : reject(new Error(`${what}: ${m.listenError}`))));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`${what}: its thread exited (code ${code}) before listening`)));
    });
    return { worker, port };
  } catch (err) {
    await worker.terminate();
    throw err;
  }
}
