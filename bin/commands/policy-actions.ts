import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { LoadedPolicy } from '#domain/policy/load-policy.ts';
import { renderRulesOfEngagement } from '#rendering/rules-of-engagement-page.ts';
import { defaultPolicyFile, type PolicyFileOption, type PolicyShowOptions, shown } from './policy.ts';
import { InvalidPolicyFileError, invalidPolicyText, loadPolicyFile } from './policy-file.ts';
import { UsageError } from './usage-error.ts';

/**
 * Loads the policy, or prints every problem of an invalid one and sets `exitCode`: 1 when checking
 * the policy is the command's job (`validate`), 2 when the policy is the argument of another.
 */
async function loadOrExplain(
  fileArgument: string | undefined,
  exitCode: 1 | 2,
): Promise<LoadedPolicy | undefined> {
  // An empty name is refused as such, not resolved to the working directory.
  const file =
    fileArgument === undefined
      ? defaultPolicyFile
      : fileArgument.trim() === ''
        ? fileArgument
        : resolve(fileArgument);
  try {
    return await loadPolicyFile(file);
  } catch (error) {
    if (!(error instanceof InvalidPolicyFileError)) throw error;
    // Prefixed as every other error of the CLI is (bin/dealreg.ts), problems indented below.
    console.error(`dealreg: ${invalidPolicyText(shown(file), error.messages)}`);
    process.exitCode = exitCode;
    return undefined;
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a page. */
async function writeWhole(file: string, content: string): Promise<void> {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, content, 'utf8');
    await rename(temporary, file);
  } catch (error) {
    // Nothing to remove when the temporary file could not be created (ENOENT, ENOTDIR, …).
    await rm(temporary, { force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? `its directory ${dirname(file)} does not exist; create it or choose another --out`
        : code === 'ENOTDIR'
          ? 'a part of the path is a file, not a directory; choose another --out'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied; choose a file you can write'
            : code === 'EISDIR'
              ? 'it is a directory; name a file'
              : (error as Error).message;
    throw new UsageError(`cannot write ${file}: ${reason}`, { cause: error });
  }
}

/** Whether both paths name one existing file (through a link or another spelling too). */
async function isSameFile(one: string, other: string): Promise<boolean> {
  try {
    const [a, b] = await Promise.all([stat(one), stat(other)]);
    return a.dev === b.dev && a.ino === b.ino;
  } catch {
    return false;
  }
}

/** The policy file FILE or `--policy` names (undefined for the default); naming it both ways is refused. */
export function policyFileArgument(file: string | undefined, options: PolicyFileOption): string | undefined {
  if (file !== undefined && options.policy !== undefined) {
    throw new UsageError(`both FILE (${file}) and --policy (${options.policy}) name a policy; give one`);
  }
  return file ?? options.policy;
}

/** `dealreg policy validate [file]`. */
export async function validate(file: string | undefined): Promise<void> {
  const loaded = await loadOrExplain(file, 1);
  if (loaded === undefined) return;
  console.log(
    `${shown(file === undefined ? defaultPolicyFile : resolve(file))} is a valid policy, version ${loaded.policyVersion}.`,
  );
}

/** `dealreg policy show [file] [--format] [--out]`. */
export async function show(file: string | undefined, options: PolicyShowOptions): Promise<void> {
  if (options.out?.trim() === '') {
    throw new UsageError('--out is empty; name the file to write the page to, or leave --out out');
  }
  if (
    options.out !== undefined &&
    (await isSameFile(resolve(options.out), resolve(file ?? defaultPolicyFile)))
  ) {
    throw new UsageError(
      `--out ${resolve(options.out)} is the policy file itself; name another file for the page`,
    );
  }
  const loaded = await loadOrExplain(file, 2);
  if (loaded === undefined) return;
  const page = renderRulesOfEngagement(loaded, options.format);
  if (options.out === undefined) {
    process.stdout.write(page);
    return;
  }
  await writeWhole(resolve(options.out), page);
  console.log(
    `Wrote the rules of engagement (${options.format}, ${loaded.policyVersion}) to ${options.out}.`,
  );
}
