import type { Command } from 'commander';

/** A module that adds one command group to the CLI. */
export type RegisterCommand = (program: Command) => void;

/**
 * Every command group of the CLI by its command name, in help order. A group is loaded only when
 * its command runs (all of them for `dealreg --help`). A command module only declares its commands
 * and options and imports nothing heavier than commander; each action imports its implementation
 * (`./<group>-actions.ts`) when it runs, so `--help` stays fast (test/unit/cli/cli-start.test.ts).
 * Add one line per new command module.
 */
export const commandGroups: Readonly<Record<string, () => Promise<RegisterCommand>>> = {
  local: async () => (await import('./local.ts')).registerLocalCommand,
  hubspot: async () => (await import('./hubspot.ts')).registerHubSpotCommands,
  sweep: async () => (await import('./sweep.ts')).registerSweepCommand,
  policy: async () => (await import('./policy.ts')).registerPolicyCommands,
  ledger: async () => (await import('./ledger.ts')).registerLedgerCommands,
  investments: async () => (await import('./investments.ts')).registerInvestmentCommands,
  partners: async () => (await import('./partners.ts')).registerPartnerCommands,
  qbr: async () => (await import('./qbr.ts')).registerQbrCommands,
  cosell: async () => (await import('./cosell.ts')).registerCoSellCommands,
  doctor: async () => (await import('./doctor.ts')).registerDoctorCommand,
};

/** The groups needed to run `argv`: the named command's, or all of them for help and unknown commands. */
export function groupsFor(argv: readonly string[]): (() => Promise<RegisterCommand>)[] {
  const name = argv.find((argument) => !argument.startsWith('-'));
  const group = name === undefined ? undefined : commandGroups[name];
  return group === undefined ? Object.values(commandGroups) : [group];
}
