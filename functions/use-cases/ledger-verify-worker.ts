/**
 * Worker thread of `verifyJsonLinesFile`: verifies one part of the chains of an export file and
 * posts its report.
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { type VerifyWorkerInput, verifyJsonLines } from './ledger-verify.ts';

if (parentPort === null) throw new Error('ledger-verify-worker.ts runs only as a worker thread');
const { path, part, opportunityId, digests } = workerData as VerifyWorkerInput;
const report = await verifyJsonLines(createReadStream(path, { highWaterMark: 1 << 20 }), {
  part,
  ...(opportunityId === undefined ? {} : { opportunityId }),
  ...(digests === undefined ? {} : { digests }),
});
parentPort.postMessage(report);
