import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalStackProcess, startLocalStackProcess } from '#test/support/local-stack-process.ts';

/*
 * A data directory keeps the policy it was started with: a restart without `--empty` does not
 * switch an empty directory to the demo policy, and `--policy` names another one explicitly.
 */

let stack: LocalStackProcess | undefined;
const timeout = 240_000;

afterAll(async () => {
  await stack?.kill('SIGKILL');
});

/** The `policy` line `dealreg local` prints when it is ready. */
function policyLine(output: string): string {
  return /^ {2}policy {12}(.*)$/m.exec(output)?.[1] ?? `no policy line in:\n${output}`;
}

describe('dealreg local on a data directory started with --empty', () => {
  it(
    'keeps the default policy on a restart without --empty, and takes the one named with --policy',
    async () => {
      stack = await startLocalStackProcess(['--empty']);
      const { dataDir } = stack;
      expect(policyLine(stack.output())).toBe(
        'policy/default-policy.json (co-sell off; the default of a new data directory; --policy names another)',
      );
      expect(await stack.interrupt()).toBe(0);

      stack = await startLocalStackProcess([], { dataDir });
      expect(stack.output()).toContain(`Resumed the data kept in ${dataDir}`);
      expect(policyLine(stack.output())).toBe(
        'policy/default-policy.json (co-sell off; the policy this data directory ran under before; --policy names another)',
      );
      expect(await stack.interrupt()).toBe(0);

      stack = await startLocalStackProcess(['--policy', 'policy/demo-policy.json'], { dataDir });
      expect(policyLine(stack.output())).toBe('policy/demo-policy.json (co-sell on; named with --policy)');
      expect(await stack.interrupt()).toBe(0);

      // Named once, it is the directory's policy from then on.
      stack = await startLocalStackProcess(['--empty'], { dataDir });
      expect(policyLine(stack.output())).toBe(
        'policy/demo-policy.json (co-sell on; the policy this data directory ran under before; --policy names another)',
      );
      // local.json names it too, for the commands that check against the running stack.
      expect(stack.description.policyFile).toBe(resolve('policy/demo-policy.json'));
      expect(await stack.interrupt()).toBe(0);
      stack = undefined;
    },
    timeout,
  );
});
