import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { isReservedExampleDomain } from '#domain/doctor/placeholders.ts';
import { contextKeys } from '#lib/dealreg-app.ts';
import { type SynthesizedApp, synthesizeDealregApp, testFormGuids } from './synthesize.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** The context `cdk.json` ships with, in the region the CDK CLI would take from a profile. */
const shippedContext = {
  ...(JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> })
    .context,
  [contextKeys.region]: 'eu-west-1',
};

/** `cdk.json`'s context with every setting the user's own, as `-c` options give them. */
const ownContext = {
  ...shippedContext,
  [contextKeys.stage]: 'prod',
  [contextKeys.region]: 'eu-west-1',
  [contextKeys.mailFrom]: 'deals@yourco.com',
  [contextKeys.alarmEmail]: 'revops@yourco.com',
  [contextKeys.supportEmail]: 'partners@yourco.com',
  [contextKeys.hubspotPortalId]: '44556677',
  [contextKeys.formGuids]: testFormGuids[1],
  [contextKeys.registrationFormUrl]: 'https://www.yourco.com/partners/register',
};

/** Runs the CDK CLI as the README does, on an assembly already synthesised (`--app DIR`). */
async function cdkSynthStrict(assemblyDir: string) {
  try {
    const { stdout, stderr } = await run(
      join(root, 'node_modules/.bin/node'),
      [
        join(root, 'node_modules/aws-cdk/bin/cdk'),
        'synth',
        '--app',
        assemblyDir,
        '--strict',
        '--no-notices',
        '--quiet',
      ],
      { cwd: root, env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: (failed.stdout ?? '') + (failed.stderr ?? '') };
  }
}

function placeholderWarnings(app: SynthesizedApp): string[] {
  return Annotations.fromStack(app.stateless)
    .findWarning('*', Match.stringLikeRegexp('a placeholder'))
    .map((warning) => String(warning.entry.data));
}

let shipped: SynthesizedApp;
let own: SynthesizedApp;

beforeAll(() => {
  shipped = synthesizeDealregApp({ context: shippedContext });
  own = synthesizeDealregApp({ context: ownContext });
  shipped.app.synth();
  own.app.synth();
});

describe('placeholder deployment settings', () => {
  it('are one synth warning each, naming the -c key to set', () => {
    const warnings = placeholderWarnings(shipped);

    expect(warnings).toHaveLength(4);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^context "dealreg:mailFrom" is dealreg@example\.com, a placeholder: .* -c dealreg:mailFrom=/,
        ),
        expect.stringMatching(
          /^context "dealreg:alarmEmail" is revops-alerts@example\.com, a placeholder: .* -c dealreg:alarmEmail=/,
        ),
        expect.stringMatching(
          /^context "dealreg:hubspotPortalId" is 1234567, a placeholder: .* -c dealreg:hubspotPortalId=/,
        ),
        expect.stringMatching(
          /^context "dealreg:formGuids" is 0c8b5b4e-3f35-4c5e-9a3e-2f1a7d6b9c01, a placeholder: .* -c dealreg:formGuids=/,
        ),
      ]),
    );
    expect(placeholderWarnings(own)).toEqual([]);
  });

  it('leave out alarm emails when alarmEmail is set empty, as the warning says, with no warning for it', () => {
    const warnings = placeholderWarnings(shipped);
    expect(warnings.find((warning) => warning.startsWith('context "dealreg:alarmEmail"'))).toContain(
      'or nothing, -c dealreg:alarmEmail=, for no alarm emails',
    );
    const noAlarms = synthesizeDealregApp({ context: { ...ownContext, [contextKeys.alarmEmail]: '' } });
    noAlarms.app.synth();
    expect(placeholderWarnings(noAlarms)).toEqual([]);
    expect(noAlarms.settings.alarmEmail).toBeUndefined();
  });

  it('count addresses and URLs at names reserved for examples (RFC 2606)', () => {
    for (const host of [
      'example.com',
      'partners.example.org',
      'EXAMPLE.NET',
      'yourco.test',
      'mail.invalid',
      'x.example',
    ]) {
      expect(isReservedExampleDomain(host), host).toBe(true);
    }
    for (const host of ['yourco.com', 'example.co.uk', 'notexample.com', 'testing.io']) {
      expect(isReservedExampleDomain(host), host).toBe(false);
    }
    const withReserved = synthesizeDealregApp({
      context: {
        ...ownContext,
        [contextKeys.supportEmail]: 'help@support.yourco.test',
        [contextKeys.registrationFormUrl]: 'https://forms.example.net/register',
      },
    });
    expect(placeholderWarnings(withReserved).map((warning) => warning.split(' is ')[0])).toEqual([
      'context "dealreg:supportEmail"',
      'context "dealreg:registrationFormUrl"',
    ]);
  });

  it('stop `cdk deploy --strict` before anything is deployed; settings of your own pass', async () => {
    const refused = await cdkSynthStrict(shipped.app.outdir);
    const passed = await cdkSynthStrict(own.app.outdir);

    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('--strict mode');
    for (const key of ['mailFrom', 'alarmEmail', 'hubspotPortalId', 'formGuids']) {
      expect(refused.output).toContain(`-c dealreg:${key}=`);
    }
    expect(passed.code, passed.output).toBe(0);
  }, 120_000);
});
