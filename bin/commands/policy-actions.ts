import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';
import { type LoadedPolicy, loadPolicy } from '#domain/policy/load-policy.ts';
import { PolicyValidationError } from '#domain/policy/policy-validation-error.ts';
import { type RulesFormat, renderRulesOfEngagement } from '#rendering/rules-of-engagement-page.ts';

/** The policy the CLI and the local stack use when no file is named. */
export const defaultPolicyFile = fileURLToPath(new URL('../../policy/default-policy.json', import.meta.url));

/** A policy file that cannot be read at all (missing, unreadable). */
export class PolicyFileError extends Error {
  override readonly name = 'PolicyFileError';
}

/**
 * Reads and validates a policy file.
 *
 * @throws PolicyFileError when the file cannot be read
 * @throws PolicyValidationError when its content is not a valid policy
 */
export async function loadPolicyFile(file: string = defaultPolicyFile): Promise<LoadedPolicy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : String(error);
    throw new PolicyFileError(`cannot read policy file ${file}: ${reason}`, { cause: error });
  }
  return loadPolicy(text);
}

function shown(file: string): string {
  const relativePath = relative(process.cwd(), file);
  return relativePath.startsWith('..') ? file : relativePath;
}

/** Loads the policy or prints why it cannot be used and sets a failing exit code. */
async function loadOrExplain(fileArgument: string | undefined): Promise<LoadedPolicy | undefined> {
  const file = fileArgument === undefined ? defaultPolicyFile : resolve(fileArgument);
  try {
    return await loadPolicyFile(file);
  } catch (error) {
    if (error instanceof PolicyValidationError) {
      const count = error.problems.length;
      console.error(`${shown(file)} is not a valid policy (${count} problem${count === 1 ? '' : 's'}):`);
      for (const message of error.messages) console.error(`  - ${message}`);
    } else if (error instanceof PolicyFileError) {
      console.error(`dealreg: ${error.message}`);
    } else {
      throw error;
    }
    process.exitCode = 1;
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
    await rm(temporary, { force: true });
    throw new PolicyFileError(`cannot write ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** `dealreg policy validate|show`: check a policy and publish its rules of engagement. */
export function registerPolicyCommands(program: Command): void {
  const policy = program
    .command('policy')
    .description('Check the policy and publish the rules of engagement generated from it');

  policy
    .command('validate')
    .description('Check a policy file and explain every problem in plain words')
    .argument('[file]', 'policy file (JSON)', undefined)
    .addHelpText('after', `\nWithout FILE, checks ${shown(defaultPolicyFile)}.`)
    .action(async (file: string | undefined) => {
      const loaded = await loadOrExplain(file);
      if (loaded === undefined) return;
      console.log(
        `${shown(file === undefined ? defaultPolicyFile : resolve(file))} is a valid policy, version ${loaded.policyVersion}.`,
      );
    });

  policy
    .command('show')
    .description('Render the rules of engagement that sales, partner and RevOps teams are trained on')
    .argument('[file]', 'policy file (JSON)', undefined)
    .addOption(
      new Option('--format <format>', 'output format').choices(['markdown', 'html']).default('markdown'),
    )
    .option('--out <file>', 'write the page to this file instead of standard output')
    .action(async (file: string | undefined, options: { format: RulesFormat; out?: string }) => {
      const loaded = await loadOrExplain(file);
      if (loaded === undefined) return;
      const page = renderRulesOfEngagement(loaded, options.format);
      if (options.out === undefined) {
        process.stdout.write(page);
        return;
      }
      try {
        await writeWhole(resolve(options.out), page);
      } catch (error) {
        if (!(error instanceof PolicyFileError)) throw error;
        console.error(`dealreg: ${error.message}`);
        process.exitCode = 1;
        return;
      }
      console.log(
        `Wrote the rules of engagement (${options.format}, ${loaded.policyVersion}) to ${options.out}.`,
      );
    });
}
