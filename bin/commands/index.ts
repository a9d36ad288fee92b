import type { Command } from 'commander';

/** A module that adds one command group to the CLI. */
export type RegisterCommand = (program: Command) => void;

/** Every command group of the CLI, in help order. Add one line per new command module. */
export const commandModules: readonly RegisterCommand[] = [];
