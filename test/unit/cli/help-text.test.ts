import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandGroups } from '#bin/commands/index.ts';

/** Every command and subcommand of the CLI, with its path (`ledger verify`). */
async function everyCommand(): Promise<{ path: string; command: Command }[]> {
  const program = new Command('dealreg');
  for (const load of Object.values(commandGroups)) (await load())(program);
  const found: { path: string; command: Command }[] = [];
  const walk = (command: Command, prefix: string) => {
    for (const child of command.commands) {
      const path = `${prefix}${child.name()}`;
      found.push({ path, command: child });
      walk(child, `${path} `);
    }
  };
  walk(program, '');
  return found;
}

describe('the help of every command', () => {
  it('describes each command as the others do: a phrase starting lower-case (or with a name such as HubSpot)', async () => {
    const described = (await everyCommand()).map(({ path, command }) => ({
      path,
      description: command.description(),
    }));

    expect(described.length).toBeGreaterThan(20);
    // "HubSpot portal tasks" starts with a name; "Check a policy file" with a capital of its own.
    expect(described.filter(({ description }) => !/^([a-z]|[A-Z]\w*[A-Z])/.test(description))).toEqual([]);
  });
});
