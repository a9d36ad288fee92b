import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, App, type AppProps, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { z } from 'zod';
import { dealregStackNames } from '#domain/deployment.ts';
import {
  defaultFormFieldMapping,
  formFieldMappingSchema,
  type RegistrationFieldName,
} from '#domain/form-field-mapping.ts';
import { type LoadedPolicy, loadPolicy } from '#domain/policy/load-policy.ts';
import { CoSellConfigurationError, coSellRegionProblem } from './constructs/co-sell.ts';
import { partnerCentralRegion } from './constructs/co-sell-grants.ts';
import { reportsBucketName } from './constructs/pre-qbr-check.ts';
import { placeholderSettings } from './placeholder-settings.ts';
import { ledgerDigestBucketName, StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

/** Raised when the CDK context lacks a setting or holds one Dealreg cannot use. */
export class DeploymentConfigurationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeploymentConfigurationError';
  }
}

/** CDK context keys (`cdk.json` "context", or `-c key=value` on the command line). */
export const contextKeys = {
  stage: 'dealreg:stage',
  region: 'dealreg:region',
  mailFrom: 'dealreg:mailFrom',
  alarmEmail: 'dealreg:alarmEmail',
  supportEmail: 'dealreg:supportEmail',
  formFieldMapping: 'dealreg:formFieldMapping',
  hubspotPortalId: 'dealreg:hubspotPortalId',
  formGuids: 'dealreg:formGuids',
  backfillSchedule: 'dealreg:backfillSchedule',
  usdRates: 'dealreg:usdRates',
  policyFile: 'dealreg:policyFile',
  registrationFormUrl: 'dealreg:registrationFormUrl',
  largePortfolioDeals: 'dealreg:largePortfolioDeals',
} as const;

/** The policy deployed when `dealreg:policyFile` is not set. */
export const defaultPolicyFile = fileURLToPath(new URL('../policy/default-policy.json', import.meta.url));

/**
 * A context value that may be given as JSON text (`-c key='{…}'`) or as an object in `cdk.json`;
 * text that is not JSON is left for the schema to refuse.
 */
function jsonContext<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }, schema);
}

const formFieldMapping = jsonContext(
  z
    .record(z.string(), z.string(), {
      error: 'must be a JSON object of registration field → form field name',
    })
    // The function checks the mapping again at cold start; checking here fails the deploy instead.
    .superRefine((mapping, context) => {
      const checked = formFieldMappingSchema.safeParse(mapping);
      for (const issue of checked.error?.issues ?? []) {
        const field = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
        context.addIssue({ code: 'custom', message: `is invalid — ${field}${issue.message}` });
      }
    }),
);

const portalIdHint = 'the HubSpot portal (hub) id, a positive whole number such as 1234567';

/** `-c` values arrive as strings, `cdk.json` values as numbers or strings. */
const hubspotPortalId = z.preprocess(
  (value) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value),
  z
    .number({
      error: (issue) =>
        issue.input === undefined ? `is required: ${portalIdHint}` : `must be ${portalIdHint}`,
    })
    .int({ error: `must be ${portalIdHint}` })
    .positive({ error: `must be ${portalIdHint}` }),
);

const formGuidsHint =
  'the GUIDs of the deal-registration forms to sweep, comma-separated (HubSpot > Marketing > Forms > ' +
  'the form: the GUID in its URL)';

/** One GUID, a comma-separated list, or (in `cdk.json`) an array of them. */
const formGuids = z.preprocess(
  (value) => {
    const list: unknown = typeof value === 'string' ? value.split(',') : value;
    return Array.isArray(list)
      ? list.map((guid) => (typeof guid === 'string' ? guid.trim() : guid)).filter((guid) => guid !== '')
      : list;
  },
  z
    .array(z.string(), {
      error: (issue) =>
        issue.input === undefined ? `is required: ${formGuidsHint}` : `must be ${formGuidsHint}`,
    })
    .min(1, `must name at least one form: ${formGuidsHint}`)
    .superRefine((guids, context) => {
      const seen = new Set<string>();
      for (const guid of guids) {
        if (seen.has(guid.toLowerCase())) {
          context.addIssue({ code: 'custom', message: `names the form "${guid}" twice` });
        }
        seen.add(guid.toLowerCase());
        if (!z.guid().safeParse(guid).success) {
          context.addIssue({
            code: 'custom',
            message: `holds "${guid}", which is not a HubSpot form GUID (such as 0c8b5b4e-3f35-4c5e-9a3e-2f1a7d6b9c01)`,
          });
        }
      }
    }),
);

/** EventBridge Scheduler expressions: `rate(15 minutes)`, `cron(0/30 8-18 ? * MON-FRI *)`. */
const backfillSchedule = z
  .string()
  .trim()
  .regex(
    /^(rate\(1 (minute|hour|day)\)|rate\(([2-9]|[1-9]\d+) (minutes|hours|days)\)|cron\((\S+ ){5}\S+\))$/,
    'must be an EventBridge Scheduler expression such as "rate(15 minutes)" or "cron(0/30 * * * ? *)"',
  )
  // "Schedule types on EventBridge Scheduler": day-of-month and day-of-week cannot both be given;
  // one of them is `?`.
  .refine((expression) => {
    const fields = /^cron\((.*)\)$/.exec(expression)?.[1]?.split(' ');
    return fields === undefined || (fields[2] === '?') !== (fields[4] === '?');
  }, 'must have a ? in day-of-month or in day-of-week, not both, such as "cron(0/30 * * * ? *)"');

/** `{"EUR": "1.08"}`: USD per unit of each deal currency other than USD (CRM amount changes). */
const usdRates = jsonContext(
  z.record(
    z.string().regex(/^[A-Z]{3}$/, 'must use ISO 4217 currency codes such as EUR'),
    z
      .string({
        error: (issue) =>
          `must map each currency to a decimal string such as "1.08" (in quotes), got ${JSON.stringify(issue.input)} for ${String(issue.path?.at(-1))}`,
      })
      .regex(/^(0|[1-9]\d{0,8})(\.\d{1,12})?$/, 'must map each currency to a decimal string such as "1.08"')
      .refine((rate) => Number(rate) > 0, 'must map each currency to a rate above zero'),
    { error: 'must be a JSON object of currency code → USD rate, such as {"EUR": "1.08"}' },
  ),
);

const deploymentSettingsSchema = z.object({
  [contextKeys.stage]: z
    .string({ error: 'is required (a stage name such as prod)' })
    .regex(
      /^[a-z][a-z0-9-]{0,19}$/,
      'must be at most 20 lower-case letters, digits and dashes, starting with a letter',
    ),
  [contextKeys.region]: z
    .string({
      error:
        'is required: set it, or let the CDK CLI take the region of your AWS profile (CDK_DEFAULT_REGION)',
    })
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1'),
  [contextKeys.mailFrom]: z.email({
    error: 'must be the SES-verified sender address, such as deals@example.com',
  }),
  [contextKeys.alarmEmail]: z.email({ error: 'must be an email address' }).optional(),
  [contextKeys.supportEmail]: z.email({ error: 'must be an email address' }).optional(),
  [contextKeys.formFieldMapping]: formFieldMapping.optional(),
  [contextKeys.hubspotPortalId]: hubspotPortalId,
  [contextKeys.formGuids]: formGuids,
  [contextKeys.backfillSchedule]: backfillSchedule.optional(),
  [contextKeys.usdRates]: usdRates.optional(),
  [contextKeys.policyFile]: z
    .string({ error: 'must be the path of a policy JSON file' })
    .trim()
    .min(1)
    .optional(),
  [contextKeys.registrationFormUrl]: z
    .url({ protocol: /^https?$/, error: 'must be the http(s) URL of the registration form' })
    .optional(),
  [contextKeys.largePortfolioDeals]: z.coerce
    .number({ error: 'must be a whole number of deals, such as 200000' })
    .int('must be a whole number of deals, such as 200000')
    .positive('must be a whole number of deals above zero, such as 200000')
    .optional(),
});

/** The deployment settings read from the CDK context. */
export interface DeploymentSettings {
  readonly stage: string;
  /** Region of both stacks (tables with a customer-managed key cannot be region-agnostic). */
  readonly region: string;
  readonly mailFrom: string;
  readonly alarmEmail?: string | undefined;
  readonly supportEmail?: string | undefined;
  readonly formFieldMapping?: Readonly<Record<string, string>> | undefined;
  /** The HubSpot portal (hub) id whose forms the backfill sweeps. */
  readonly hubspotPortalId: number;
  /** GUIDs of the deal-registration forms the backfill sweeps (at least one). */
  readonly formGuids: readonly string[];
  /** EventBridge Scheduler expression of the backfill; the construct's default when absent. */
  readonly backfillSchedule?: string | undefined;
  /** USD per unit of each deal currency other than USD, for the amounts of CRM events. */
  readonly usdRates?: Readonly<Record<string, string>> | undefined;
  /** The policy the workflow enforces, validated, and its text as deployed. */
  readonly policy: LoadedPolicy;
  readonly policyText: string;
  /** The registration form's public URL, for partners asked to resubmit with more information. */
  readonly registrationFormUrl?: string | undefined;
  /** Above this many deals the pre-QBR check reads HubSpot with its Distributed Map; the construct's default when absent. */
  readonly largePortfolioDeals?: number | undefined;
}

/**
 * "General purpose bucket naming rules" (Amazon S3): a bucket name has at most 63 characters.
 * The stage is part of the buckets' names with the account (12 digits) and the region, so a stage
 * the pattern allows can still make CloudFormation fail the stateful stack in a long-named region.
 */
const maxBucketNameLength = 63;

function stageTooLongForBucketNames(stage: string, region: string): string | undefined {
  const account = '0'.repeat(12);
  const names = [reportsBucketName, ledgerDigestBucketName].map((name) => name(stage, account, region));
  const longest = Math.max(...names.map((name) => name.length));
  if (longest <= maxBucketNameLength) return undefined;
  const allowed = stage.length - (longest - maxBucketNameLength);
  return (
    `context "${contextKeys.stage}" is ${stage.length} characters, but the S3 bucket names built from it ` +
    `(such as ${names.find((name) => name.length === longest)?.replace(account, '{account}')}) would exceed ` +
    `${maxBucketNameLength} characters: use a stage of at most ${allowed} characters in ${region}`
  );
}

/** Reads and validates the policy file; a missing or invalid file fails the synth naming it. */
function readPolicy(path: string | undefined): { policy: LoadedPolicy; policyText: string } {
  const file = resolve(path ?? defaultPolicyFile);
  let bytes: Buffer;
  try {
    // Read as bytes: the policy loader refuses a file that is not UTF-8, as `dealreg policy validate` does.
    bytes = readFileSync(file);
  } catch (error) {
    throw new DeploymentConfigurationError(
      `Invalid deployment settings:\n  context "${contextKeys.policyFile}" names ${file}, which cannot be read (${(error as Error).message})`,
      { cause: error },
    );
  }
  try {
    return { policy: loadPolicy(new Uint8Array(bytes)), policyText: bytes.toString('utf8') };
  } catch (error) {
    throw new DeploymentConfigurationError(
      `Invalid deployment settings:\n  the policy ${file} is not valid — ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * The form field mapping the functions get: the policy's `formFieldMapping` (the fields it
 * changes), with the context's `dealreg:formFieldMapping` added; a field both map differently is
 * refused, as is a form field read twice. Undefined when neither changes a default.
 */
function deployedFormFieldMapping(
  fromContext: Readonly<Record<string, string>> | undefined,
  { policy }: LoadedPolicy,
): Readonly<Record<string, string>> | undefined {
  const fromPolicy = Object.fromEntries(
    Object.entries(policy.formFieldMapping).filter(
      ([field, formField]) => defaultFormFieldMapping[field as RegistrationFieldName] !== formField,
    ),
  );
  const problems = Object.entries(fromContext ?? {})
    .filter(([field, formField]) => fromPolicy[field] !== undefined && fromPolicy[field] !== formField)
    .map(
      ([field, formField]) =>
        `context "${contextKeys.formFieldMapping}" maps ${field} to "${formField}", but the policy's formFieldMapping maps it to "${fromPolicy[field]}": keep one of them`,
    );
  const merged = { ...fromPolicy, ...fromContext };
  for (const issue of formFieldMappingSchema.safeParse(merged).error?.issues ?? []) {
    problems.push(
      `the policy's and the context's formFieldMapping together: ${issue.path.join('.')}: ${issue.message}`,
    );
  }
  if (problems.length > 0) {
    throw new DeploymentConfigurationError(`Invalid deployment settings:\n  ${problems.join('\n  ')}`);
  }
  return Object.keys(merged).length > 0 ? merged : undefined;
}

/**
 * Reads and checks the deployment settings; throws naming every missing or invalid key. The
 * region comes from the context, else from the CDK CLI (the AWS profile's region).
 */
export function readDeploymentSettings(app: App): DeploymentSettings {
  const raw: Record<string, unknown> = Object.fromEntries(
    Object.values(contextKeys).map((key) => [key, emptyToUndefined(app.node.tryGetContext(key))]),
  );
  raw[contextKeys.region] ??= emptyToUndefined(process.env.CDK_DEFAULT_REGION);
  const parsed = deploymentSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `context "${String(issue.path[0])}" ${issue.message}`,
    );
    throw new DeploymentConfigurationError(`Invalid deployment settings:\n  ${problems.join('\n  ')}`, {
      cause: parsed.error,
    });
  }
  const settings = parsed.data;
  const region = settings[contextKeys.region];
  const stageProblem = stageTooLongForBucketNames(settings[contextKeys.stage], region);
  if (stageProblem !== undefined) {
    throw new DeploymentConfigurationError(`Invalid deployment settings:\n  ${stageProblem}`);
  }
  const policy = readPolicy(settings[contextKeys.policyFile]);
  // Checked here too, so the synth stops before it bundles every function.
  if (policy.policy.policy.coSell.enabled && region !== partnerCentralRegion) {
    throw new CoSellConfigurationError(coSellRegionProblem(region));
  }
  return {
    stage: settings[contextKeys.stage],
    region,
    mailFrom: settings[contextKeys.mailFrom],
    alarmEmail: settings[contextKeys.alarmEmail],
    supportEmail: settings[contextKeys.supportEmail],
    formFieldMapping: deployedFormFieldMapping(settings[contextKeys.formFieldMapping], policy.policy),
    hubspotPortalId: settings[contextKeys.hubspotPortalId],
    formGuids: settings[contextKeys.formGuids],
    backfillSchedule: settings[contextKeys.backfillSchedule],
    usdRates: settings[contextKeys.usdRates],
    ...policy,
    registrationFormUrl: settings[contextKeys.registrationFormUrl],
    largePortfolioDeals: settings[contextKeys.largePortfolioDeals],
  };
}

export interface DealregApp {
  readonly app: App;
  readonly settings: DeploymentSettings;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * The Dealreg CDK app: the stateful stack (tables, keys, secrets) and the stateless stack
 * (functions, API, workflows) wired to it, checked by cdk-nag's AWS Solutions rules when it
 * is synthesised.
 */
export function createDealregApp(props: AppProps = {}): DealregApp {
  const app = new App(props);
  const settings = readDeploymentSettings(app);
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const env = { ...(account === undefined ? {} : { account }), region: settings.region };
  const stackNames = dealregStackNames(settings.stage);

  const stateful = new StatefulStack(app, stackNames.stateful, {
    env,
    stage: settings.stage,
    description: 'Dealreg data: registrations, attribution ledger, keys and secrets',
    terminationProtection: true,
  });
  const stateless = new StatelessStack(app, stackNames.stateless, {
    env,
    stage: settings.stage,
    description:
      'Dealreg code: intake API, registration workflow, submission backfill, CRM events, ledger guards, alarms',
    // TableV2 and Secret expose `tableId` and `secretFullArn` as getters typed `T | undefined`, which
    // exactOptionalPropertyTypes does not accept for their interfaces' `?: T` (aws/aws-cdk#37996).
    registrationsTable: stateful.registrationsTable as ITableV2,
    sweeperStateTable: stateful.sweeperStateTable as ITableV2,
    approvalsTable: stateful.approvalsTable as ITableV2,
    approvalSigningKey: stateful.approvalSigningKey as ISecret,
    ledgerTable: stateful.ledgerTable,
    ledgerDigestBucketName: stateful.ledgerDigestBucketName,
    ledgerMacKey: stateful.ledgerMacKey,
    hubspotClientSecret: stateful.hubspotClientSecret as ISecret,
    hubspotAccessToken: stateful.hubspotAccessToken as ISecret,
    alarmsKey: stateful.alarmsKey,
    mailFrom: settings.mailFrom,
    hubspotPortalId: settings.hubspotPortalId,
    formGuids: settings.formGuids,
    backfillSchedule: settings.backfillSchedule,
    usdRates: settings.usdRates,
    alarmEmail: settings.alarmEmail,
    supportEmail: settings.supportEmail,
    formFieldMapping: settings.formFieldMapping,
    policyText: settings.policyText,
    calendarTimeZone: settings.policy.policy.calendar.timeZone,
    registrationFormUrl: settings.registrationFormUrl,
    largePortfolioDeals: settings.largePortfolioDeals,
  });

  warnOfPlaceholders(stateless, settings);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, settings, stateful, stateless };
}

/**
 * One synth warning per setting that still holds a placeholder (`cdk.json`'s, or an address at a
 * domain reserved for examples), on the stack that uses it, naming the `-c` key to set. `cdk synth`
 * prints them and goes on, so it works out of the box; `cdk deploy --strict` (the README's deploy
 * command) refuses to deploy: "Adds an acknowledgeable warning metadata entry to this construct.
 * The CLI will display the warning when an app is synthesized, or fail if run in `--strict` mode"
 * (aws-cdk-lib `Annotations.addWarningV2`; the CDK CLI's `--strict`: "Do not construct stacks with
 * warnings").
 */
function warnOfPlaceholders(stack: StatelessStack, settings: DeploymentSettings): void {
  for (const placeholder of placeholderSettings(settings)) {
    const key = contextKeys[placeholder.setting];
    Annotations.of(stack).addWarningV2(
      `${key}:placeholder`,
      `context "${key}" is ${placeholder.value}, a placeholder: ${placeholder.why}. Deploy with -c ${key}=<${placeholder.setTo}>`,
    );
  }
}

function emptyToUndefined(value: unknown): unknown {
  return value === '' || value === null ? undefined : value;
}
