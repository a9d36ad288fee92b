import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

const root = fileURLToPath(new URL('../../', import.meta.url));
const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');

const biomeReportSchema = z.object({
  diagnostics: z.array(
    z.object({
      category: z.string().nullish(),
      message: z.string(),
      location: z.object({ path: z.string().nullish() }).nullish(),
    }),
  ),
});
type Diagnostic = z.infer<typeof biomeReportSchema>['diagnostics'][number];

/** A file in a layer of functions/ that imports one module. */
interface Probe {
  readonly rule: string;
  readonly layer: string;
  readonly from: string;
  readonly file: string;
}

function probe(rule: string, layer: string, from: string): Probe {
  return { rule, layer, from, file: `functions/${layer}/layering-probe-${randomUUID()}.ts` };
}

const allowed = probe('the domain imports its own modules and its libraries', 'domain', 'zod');
const forbidden = [
  {
    ...probe('the domain imports an adapter', 'domain', '#adapters/reports/s3-report-store.ts'),
    message: 'The domain is pure',
  },
  {
    ...probe(
      'the domain climbs into another layer by a relative path',
      'domain',
      '../adapters/reports/deal-batch.ts',
    ),
    message: 'The domain is pure',
  },
  { ...probe('the domain uses an SDK', 'domain', '@aws-sdk/client-s3'), message: 'The domain is pure' },
  {
    ...probe('a port imports a use case', 'ports', '#use-cases/qbr-delivery/due-check.ts'),
    message: 'A port declares what the domain and the use cases need',
  },
  {
    ...probe('a use case imports an adapter', 'use-cases', '#adapters/reports/s3-report-store.ts'),
    message: 'A use case reaches adapters only through ports',
  },
  {
    ...probe(
      'an adapter takes its port from a use case',
      'adapters',
      '../use-cases/qbr-delivery/due-check.ts',
    ),
    message: 'An adapter implements a port',
  },
  {
    ...probe('presentation calls an adapter', 'rendering', '#adapters/reports/s3-report-store.ts'),
    message: 'Presentation (rendering, emails, pages)',
  },
];

let exitCode = 0;
let diagnostics: Diagnostic[] = [];

/**
 * Lints probe files placed in the layers of functions/ with the repository's Biome configuration
 * (one run for all of them), so the layering rules are tested as `npm run lint` applies them. The
 * probes are always removed.
 */
beforeAll(async () => {
  const probes = [allowed, ...forbidden];
  try {
    await Promise.all(
      probes.map(({ file, from }) =>
        writeFile(
          join(root, file),
          `import * as imported from '${from}';\n\nexport const probe = imported;\n`,
        ),
      ),
    );
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve, reject) => {
      execFile(
        process.execPath,
        [biome, 'lint', '--reporter=json', ...probes.map(({ file }) => file)],
        { cwd: root },
        (error, out) => {
          if (error !== null && typeof error.code !== 'number') reject(error);
          else resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout: out });
        },
      );
    });
    exitCode = code;
    diagnostics = biomeReportSchema.parse(JSON.parse(stdout)).diagnostics;
  } finally {
    await Promise.all(probes.map(({ file }) => rm(join(root, file), { force: true })));
  }
});

function restrictedImportsIn(file: string): Diagnostic[] {
  return diagnostics.filter(
    (diagnostic) =>
      diagnostic.location?.path === file && diagnostic.category === 'lint/style/noRestrictedImports',
  );
}

describe('the layering of functions/', () => {
  it('fails the lint when one layer imports what it may not', () => {
    expect(exitCode).not.toBe(0);
  });

  it('lets the domain import its own modules and its libraries', () => {
    expect(diagnostics.filter((diagnostic) => diagnostic.location?.path === allowed.file)).toEqual([]);
  });

  it.each(forbidden)('reports it when $rule', ({ file, message }) => {
    const found = restrictedImportsIn(file);

    expect(found).toHaveLength(1);
    expect(found[0]?.message).toContain(message);
  });
});
