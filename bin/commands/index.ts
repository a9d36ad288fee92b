import type { Command } from 'commander';
import { registerHubSpotCommands } from './hubspot.ts';
import { registerInvestmentCommands } from './investments.ts';
import { registerLedgerCommands } from './ledger.ts';
import { registerLocalCommand } from './local.ts';
import { registerPolicyCommands } from './policy.ts';
import { registerSweepCommand } from './sweep.ts';

/** A module that adds one command group to the CLI. */
export type RegisterCommand = (program: Command) => void;

/** Every command group of the CLI, in help order. Add one line per new command module. */
export const commandModules: readonly RegisterCommand[] = [
  registerLocalCommand,
  registerHubSpotCommands,
  registerSweepCommand,
  registerPolicyCommands,
  registerLedgerCommands,
  registerInvestmentCommands,
];
