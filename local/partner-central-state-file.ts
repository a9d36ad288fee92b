import { z } from 'zod';
import { readSavedJson } from './atomic-file.ts';
import type { PartnerCentralSnapshot } from './partner-central/index.ts';
import { type SaveSoon, saveJsonSoon } from './save-soon.ts';

const json = z.record(z.string(), z.unknown());
const tokenUse = z.object({ fingerprint: z.string(), response: json });
const snapshotSchema = z.object({
  catalogs: z.object({
    opportunities: z.array(z.object({ catalog: z.string(), opportunity: json })),
    createTokens: z.array(z.tuple([z.string(), tokenUse])),
    submitTokens: z.array(z.tuple([z.string(), tokenUse])),
    nextId: z.number().int().positive(),
  }),
  invitations: z.array(z.tuple([z.string(), json])),
});

/**
 * The Partner Central stand-in saved by an earlier run in the data directory, or undefined when
 * there is none (a run kept by a version that did not save it starts the stand-in empty). A file
 * that cannot be read as one fails the start, naming the file and the way out.
 */
export function readPartnerCentralState(file: string): Promise<PartnerCentralSnapshot | undefined> {
  return readSavedJson(file, snapshotSchema, 'start with --fresh to start over');
}

/** Saves the stand-in to `file` soon after each change (`changed()`), as `saveJsonSoon` does. */
export function partnerCentralStateSaver(
  file: string,
  snapshot: () => PartnerCentralSnapshot,
  onError: (error: unknown) => void,
): SaveSoon {
  return saveJsonSoon(file, snapshot, onError);
}
