/**
 * Worker thread of `verifyJsonLinesFile`: verifies one part of the chains of an export file and
 * posts its report. Entry MACs are sent to the starting thread, which holds the ledger key.
 */
import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import type { MacClaim } from '#ports/ledger-authenticator.ts';
import {
  readChunks,
  type VerifyWorkerInput,
  type VerifyWorkerMessage,
  type VerifyWorkerReply,
  verifyJsonLines,
} from './ledger-verify.ts';

if (parentPort === null) throw new Error('ledger-verify-worker.ts runs only as a worker thread');
const port = parentPort;
const { path, part, opportunityId, digests, authentication, checksMacs } = workerData as VerifyWorkerInput & {
  checksMacs: boolean;
};
const waiting = new Map<number, (valid: readonly boolean[]) => void>();
let nextId = 0;
port.on('message', (reply: VerifyWorkerReply) => {
  waiting.get(reply.id)?.(reply.valid);
  waiting.delete(reply.id);
});
const checkMacs = (pending: readonly MacClaim[]) =>
  new Promise<boolean[]>((resolve) => {
    const id = nextId++;
    waiting.set(id, (valid) => resolve([...valid]));
    // Only what the key checks crosses the thread boundary.
    const claims = pending.map(({ message, mac }) => ({ message, mac }));
    port.postMessage({ kind: 'check-macs', id, pending: claims } satisfies VerifyWorkerMessage);
  });
const file = await open(path);
try {
  const report = await verifyJsonLines(readChunks(file), {
    part,
    opportunityId,
    digests,
    authentication,
    checkMacs: checksMacs ? checkMacs : undefined,
  });
  port.postMessage({ kind: 'report', report } satisfies VerifyWorkerMessage);
  port.close();
} finally {
  await file.close();
}
