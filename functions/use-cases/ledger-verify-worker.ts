/**
 * Worker thread of `verifyJsonLinesFile`: verifies one part of the chains of an export file and
 * posts its report.
 */
import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { readChunks, type VerifyWorkerInput, verifyJsonLines } from './ledger-verify.ts';

if (parentPort === null) throw new Error('ledger-verify-worker.ts runs only as a worker thread');
const { path, part, opportunityId, digests } = workerData as VerifyWorkerInput;
const file = await open(path);
try {
  const report = await verifyJsonLines(readChunks(file), {
    part,
    opportunityId,
    digests,
  });
  parentPort.postMessage(report);
} finally {
  await file.close();
}
