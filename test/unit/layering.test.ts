import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');

/**
 * Lints a probe file placed in a layer of functions/ with the repository's Biome configuration,
 * so the layering rules are tested as `npm run lint` applies them; the probe is always removed.
 */
async function lintProbe(layer: string, source: string): Promise<{ failed: boolean; output: string }> {
  const file = `functions/${layer}/layering-probe-${randomUUID()}.ts`;
  await writeFile(join(root, file), source);
  try {
    await run(process.execPath, [biome, 'lint', '--colors=off', file], { cwd: root });
    return { failed: false, output: '' };
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return { failed: true, output: `${stdout ?? ''}${stderr ?? ''}` };
  } finally {
    await rm(join(root, file), { force: true });
  }
}

describe('the layering of functions/', () => {
  it('lets the domain import its own modules and its libraries', async () => {
    const result = await lintProbe(
      'domain',
      "import { z } from 'zod';\nimport { reportFolder } from '#domain/qbr/report-location.ts';\n\nexport const probe = [z, reportFolder];\n",
    );

    expect(result).toEqual({ failed: false, output: '' });
  });

  it.each([
    {
      rule: 'the domain imports no adapter',
      layer: 'domain',
      from: '#adapters/reports/s3-report-store.ts',
      message: 'The domain is pure',
    },
    {
      rule: 'the domain does not climb into another layer by a relative path',
      layer: 'domain',
      from: '../adapters/reports/deal-batch.ts',
      message: 'The domain is pure',
    },
    {
      rule: 'the domain uses no SDK',
      layer: 'domain',
      from: '@aws-sdk/client-s3',
      message: 'The domain is pure',
    },
    {
      rule: 'a port depends on the domain only',
      layer: 'ports',
      from: '#use-cases/qbr-delivery.ts',
      message: 'A port declares what the domain and the use cases need',
    },
    {
      rule: 'a use case reaches adapters through ports',
      layer: 'use-cases',
      from: '#adapters/reports/s3-report-store.ts',
      message: 'A use case reaches adapters only through ports',
    },
    {
      rule: 'an adapter takes its port from functions/ports, not from a use case',
      layer: 'adapters',
      from: '../use-cases/qbr-delivery.ts',
      message: 'An adapter implements a port',
    },
    {
      rule: 'presentation calls no adapter',
      layer: 'rendering',
      from: '#adapters/reports/s3-report-store.ts',
      message: 'Presentation (rendering, emails, pages)',
    },
  ])('fails the lint when $rule', async ({ layer, from, message }) => {
    const result = await lintProbe(
      layer,
      `import * as forbidden from '${from}';\n\nexport const probe = forbidden;\n`,
    );

    expect(result.failed).toBe(true);
    expect(result.output).toContain('lint/style/noRestrictedImports');
    expect(result.output).toContain(message);
  });
});
