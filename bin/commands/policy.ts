import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';
import type { RulesFormat } from '#rendering/rules-of-engagement-page.ts';

/** The policy the CLI and the local stack use when no file is named. */
export const defaultPolicyFile = fileURLToPath(new URL('../../policy/default-policy.json', import.meta.url));

/** A path as the user would type it: relative to the working directory when below it. */
export function shown(file: string): string {
  const relativePath = relative(process.cwd(), file);
  return relativePath.startsWith('..') ? file : relativePath;
}

export interface PolicyFileOption {
  /** The policy file, as every other command names it; FILE says the same. */
  readonly policy?: string;
}

export interface PolicyShowOptions extends PolicyFileOption {
  readonly format: RulesFormat;
  readonly out?: string;
}

const policyOption = () =>
  new Option('--policy <file>', 'the policy file, as other commands take it (instead of FILE)');

/** `dealreg policy validate|show`: check a policy and publish its rules of engagement. */
export function registerPolicyCommands(program: Command): void {
  const policy = program
    .command('policy')
    .description('check the policy and publish the rules of engagement generated from it');

  policy
    .command('validate')
    .description('check a policy file and explain every problem in plain words')
    .argument('[file]', 'policy file (JSON)', undefined)
    .addOption(policyOption())
    .addHelpText('after', `\nWithout FILE, checks ${shown(defaultPolicyFile)}.`)
    .action(async (file: string | undefined, options: PolicyFileOption) => {
      const actions = await import('./policy-actions.ts');
      return actions.validate(actions.policyFileArgument(file, options));
    });

  policy
    .command('show')
    .description('render the rules of engagement that sales, partner and RevOps teams are trained on')
    .argument('[file]', 'policy file (JSON)', undefined)
    .addOption(
      new Option('--format <format>', 'output format').choices(['markdown', 'html']).default('markdown'),
    )
    .option('--out <file>', 'write the page to this file instead of standard output')
    .addOption(policyOption())
    .action(async (file: string | undefined, options: PolicyShowOptions) => {
      const actions = await import('./policy-actions.ts');
      return actions.show(actions.policyFileArgument(file, options), options);
    });
}
