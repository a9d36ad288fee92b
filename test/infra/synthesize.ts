import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { contextKeys, createDealregApp, type DealregApp } from '#lib/dealreg-app.ts';

/** The forms the infrastructure tests' backfill sweeps. */
export const testFormGuids = [
  '0c8b5b4e-3f35-4c5e-9a3e-2f1a7d6b9c01',
  '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6',
] as const;

/** The context the infrastructure tests deploy with. */
export const testContext = {
  [contextKeys.stage]: 'test',
  [contextKeys.region]: 'eu-west-1',
  [contextKeys.mailFrom]: 'deals@partners.example.com',
  [contextKeys.alarmEmail]: 'revops-alerts@example.com',
  [contextKeys.hubspotPortalId]: '12345678',
  [contextKeys.formGuids]: `${testFormGuids[0]}, ${testFormGuids[1]}`,
} as const;

/** The test context with co-sell on (the Sandbox catalog), deployed where Partner Central's events are. */
export const coSellContext = {
  ...testContext,
  [contextKeys.region]: 'us-east-1',
  [contextKeys.policyFile]: fileURLToPath(new URL('./fixtures/co-sell-policy.json', import.meta.url)),
} as const;

export interface SynthesizedApp extends DealregApp {
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
}

export interface SynthesizeOptions {
  /** @default testContext */
  readonly context?: Record<string, unknown>;
  /**
   * Bundle the functions with esbuild (seconds per function), as `cdk synth` does; resource
   * and permission assertions do not need the bundles.
   * @default false
   */
  readonly bundle?: boolean;
}

/**
 * Builds and synthesises the whole app (running the cdk-nag validation plugin) into a fresh
 * directory. Call once per test file.
 */
export function synthesizeDealregApp(options: SynthesizeOptions = {}): SynthesizedApp {
  const built = createDealregApp({
    context: {
      ...(options.context ?? testContext),
      // The CDK's own switch (what `cdk synth --exclusively` uses): no stack bundles its assets.
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
    outdir: mkdtempSync(join(tmpdir(), 'dealreg-cdk-')),
    // CDK's CloudFormation schema check takes seconds per synth; `cdk synth` runs it. The
    // cdk-nag plugin runs either way.
    builtinCloudFormationValidation: false,
  });
  return {
    ...built,
    statefulTemplate: Template.fromStack(built.stateful),
    statelessTemplate: Template.fromStack(built.stateless),
  };
}

/** The CloudFormation logical id of an L2 construct's main resource. */
export function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild;
  if (!CfnElement.isCfnElement(resource))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(resource);
}
