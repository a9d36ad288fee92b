import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApprovalStore } from '#adapters/dynamodb/approval-store.ts';
import { OnceOnlyMailer } from '#adapters/dynamodb/once-only-mailer.ts';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import type { HubSpotConnection } from '#adapters/hubspot/connection.ts';
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import { HubSpotPortalSchemaAdmin } from '#adapters/hubspot/portal-schema-admin.ts';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { partnerCentralCatalogs } from '#adapters/partner-central/co-sell-catalogs.ts';
import type { RetryingCalls } from '#adapters/partner-central/retrying-calls.ts';
import type { CoSellDefaults } from '#domain/co-sell/co-sell-opportunity.ts';
import type { LoadedPolicy } from '#domain/policy/load-policy.ts';
import type { ApprovalSigningKey } from '#domain/signed-links/signing-key.ts';
import { createRegistrationStepsHandler } from '#handlers/registration-steps-handler.ts';
import { registrationStepsShare } from '#lib/constructs/hubspot-budget.ts';
import type { LedgerAuthenticator } from '#ports/ledger-authenticator.ts';
import type { Mailer } from '#ports/mailer.ts';
import { setupHubSpotPortal } from '#use-cases/setup-hubspot-portal.ts';
import {
  type RegistrationWorkflowAsl,
  registrationSegmentsStateMachineName,
  registrationStepsFunctionName,
  renderRegistrationWorkflowAsl,
} from '#workflows/registration-workflow.ts';
import type { VirtualClock } from './clock.ts';
import { type LocalWorkflowRunner, lambdaTask, RunnerRegistrationWorkflow } from './workflow-runner/index.ts';

export interface LocalRegistrationWorkflowOptions {
  readonly runner: LocalWorkflowRunner;
  /** Every step reads this clock, so SLA deadlines and the runner's timers agree. */
  readonly clock: VirtualClock;
  readonly client: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  readonly tables: { readonly registrations: string; readonly approvals: string; readonly ledger: string };
  /** The ledger key every entry the steps append is authenticated with. */
  readonly ledgerKey: LedgerAuthenticator;
  readonly hubspot: HubSpotConnection;
  readonly portalId: number;
  readonly mailer: Mailer;
  readonly signingKey: ApprovalSigningKey;
  /** Where approval and extension links point. */
  readonly apiBaseUrl: string;
  readonly policy: LoadedPolicy;
  readonly usdRates?: Readonly<Record<string, string>>;
  readonly registrationFormUrl?: string;
  readonly logger: Logger;
  /**
   * The local Partner Central stand-in (`local/partner-central/`) co-sell talks to, with the real
   * SDK client; without it nothing is shared with AWS.
   */
  readonly partnerCentral?:
    | {
        readonly endpoint: string;
        readonly defaults?: CoSellDefaults | undefined;
        readonly calls?: RetryingCalls | undefined;
      }
    | undefined;
  /**
   * Runs the steps function without its reserved concurrency: for tests whose runner does not pause
   * between retries (`retryPauses: 'none'`), where a throttled step would use up its retries at once.
   */
  readonly unlimitedConcurrency?: boolean | undefined;
  /**
   * The definitions to run: by default those `workflows/registration-workflow.ts` renders
   * (what CDK deploys); tests may pass the definitions taken from the synthesised stack.
   */
  readonly definition?: RegistrationWorkflowAsl;
}

export interface LocalRegistrationWorkflow {
  /** The registration workflow port the intake starts executions through. */
  readonly workflow: RunnerRegistrationWorkflow;
  readonly definition: RegistrationWorkflowAsl;
}

/**
 * The registration workflow on one machine: prepares the HubSpot portal (the Deal Registration
 * object, deal properties, partner labels), and runs the deployed definitions on the local
 * runner with the same steps handler the Lambda function runs, wired to local adapters: the
 * Standard workflow, and its segments registered as the Express state machine its Tasks start.
 * Call it before the runner's `resume()`.
 */
export async function startLocalRegistrationWorkflow(
  options: LocalRegistrationWorkflowOptions,
): Promise<LocalRegistrationWorkflow> {
  await setupHubSpotPortal(new HubSpotPortalSchemaAdmin(options.hubspot), { dryRun: false });
  const { runner, clock } = options;
  const handler = createRegistrationStepsHandler({
    book: new DynamoDbRegistrationBook(options.documentClient, options.tables.registrations),
    approvals: new DynamoDbApprovalStore(options.documentClient, options.tables.approvals),
    crm: new HubSpotAdapter(options.hubspot, { portalId: options.portalId }),
    ledger: new DynamoDbLedgerStore(options.client, options.tables.ledger),
    ledgerKey: options.ledgerKey,
    mailer: new OnceOnlyMailer(options.mailer, options.documentClient, options.tables.approvals, () =>
      clock.now(),
    ),
    callbacks: { succeed: async (token, output) => runner.sendTaskSuccess(token, output) },
    policy: options.policy,
    signingKey: async () => options.signingKey,
    apiBaseUrl: options.apiBaseUrl,
    usdRates: options.usdRates ?? {},
    registrationFormUrl: options.registrationFormUrl,
    ...(options.partnerCentral === undefined
      ? {}
      : {
          coSell: partnerCentralCatalogs(
            { endpoint: options.partnerCentral.endpoint },
            {
              credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
              calls: options.partnerCentral.calls,
            },
          ),
          coSellDefaults: options.partnerCentral.defaults,
        }),
    now: () => clock.now(),
    logger: options.logger,
  });
  // The steps function's reserved concurrency as the stack deploys it under this policy (its share
  // of the HubSpot portal's budget, smaller with co-sell on, when the AWS referral review takes
  // some): a burst of registrations queues in the workflow's throttling retries.
  runner.registerHandler(
    registrationStepsFunctionName,
    lambdaTask(registrationStepsFunctionName, handler, 120_000),
    options.unlimitedConcurrency === true
      ? {}
      : { reservedConcurrency: registrationStepsShare(options.policy.policy.coSell.enabled).containers },
  );
  const definition = options.definition ?? renderRegistrationWorkflowAsl();
  runner.registerStateMachine(definition.segments, {
    name: registrationSegmentsStateMachineName,
    type: 'EXPRESS',
  });
  return { workflow: new RunnerRegistrationWorkflow(runner, definition.workflow), definition };
}
