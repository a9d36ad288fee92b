import type { z } from 'zod';
import { batchInputSchema } from './batch-worker.ts';
import { dueCheckInputSchema } from './due-check.ts';
import { buildInputSchema } from './report-builder.ts';
import { runSchema } from './step-input.ts';

/**
 * The input each pre-QBR step's handler accepts, by step: what the pre-QBR state machine's tasks
 * must send (the infrastructure tests check the deployed definition against it). Not imported by
 * any function, so no bundle carries the other steps.
 */
export const qbrStepInputSchemas = {
  dueCheck: dueCheckInputSchema,
  dealExport: runSchema,
  batchWorker: batchInputSchema,
  buildReport: buildInputSchema,
  emailReport: runSchema,
} as const satisfies Record<string, z.ZodType>;
