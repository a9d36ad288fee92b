import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';

/** A saved file of the local stack that cannot be read as what it should hold. */
export class SavedFileError extends Error {
  override readonly name = 'SavedFileError';
}

/**
 * Writes a file so that a reader, or the next start after a crash, sees either the old content or
 * the new, never half of it: the content goes to a temporary file beside it (rename is atomic only
 * within one file system), is flushed to disk, and is renamed over the file.
 */
export async function writeFileAtomically(
  path: string,
  content: string,
  options: { readonly mode?: number } = {},
): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
  try {
    const handle = await open(temporary, 'wx', options.mode ?? 0o644);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Reads a JSON file written by the local stack and checks it against its schema. Undefined when
 * the file does not exist; a `SavedFileError` naming the file, the problem and `fix` otherwise.
 */
export async function readSavedJson<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
  fix: string,
): Promise<z.infer<Schema> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SavedFileError(`cannot read ${path}: ${(error as Error).message}; ${fix}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SavedFileError(`${path} is not JSON (${(error as Error).message}); ${fix}`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new SavedFileError(`${path} is not what it should hold (${problems.join('; ')}); ${fix}`);
  }
  return parsed.data;
}
