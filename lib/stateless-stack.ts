import { ArnFormat, CfnOutput, Lazy, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITableV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { apiUrlOutputKey, statelessOutputKeys } from '#domain/deployment.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { Approvals } from './constructs/approvals.ts';
import { AttributionLedger } from './constructs/attribution-ledger.ts';
import { CoSell } from './constructs/co-sell.ts';
import { CrmEvents } from './constructs/crm-events.ts';
import { DealCard } from './constructs/deal-card.ts';
import { PreQbrCheck, reportsBucketName } from './constructs/pre-qbr-check.ts';
import { RegistrationWorkflow } from './constructs/registration-workflow.ts';
import { SubmissionBackfill } from './constructs/submission-backfill.ts';
import { SubmissionIntake } from './constructs/submission-intake.ts';

export interface StatelessStackProps extends StackProps {
  /** API Gateway stage name. */
  readonly stage: string;
  /** Registrations table (from the stateful stack). */
  readonly registrationsTable: ITableV2;
  /** Approvals table: approval tasks and their page views (from the stateful stack). */
  readonly approvalsTable: ITableV2;
  /** The approval and extension link signing key (from the stateful stack). */
  readonly approvalSigningKey: ISecret;
  /**
   * IANA time zone of the business calendar, in which the extension page shows dates.
   * @default 'UTC'
   */
  readonly calendarTimeZone?: string;
  /** The validated policy (JSON text) the registration workflow enforces. */
  readonly policyText: string;
  /**
   * The registration form's public URL, for partners asked to resubmit with more information.
   * @default - the email names the approver to write to instead
   */
  readonly registrationFormUrl?: string | undefined;
  /**
   * Above this many deals the pre-QBR check reads HubSpot with its Distributed Map.
   * @default - the PreQbrCheck default (200,000)
   */
  readonly largePortfolioDeals?: number | undefined;
  /** SweeperState table: the backfill's watermark per form (from the stateful stack). */
  readonly sweeperStateTable: ITableV2;
  /** Ledger table (from the stateful stack; its stream feeds the tampering guard). */
  readonly ledgerTable: TableV2;
  /** Name of the Object Lock bucket of the ledger digests (from the stateful stack). */
  readonly ledgerDigestBucketName: string;
  /** The ledger key, a KMS HMAC key (from the stateful stack). */
  readonly ledgerMacKey: IKey;
  /**
   * USD per unit of each deal currency other than USD, for CRM amount changes.
   * @default - none
   */
  readonly usdRates?: Readonly<Record<string, string>> | undefined;
  /** HubSpot app client secret (from the stateful stack). */
  readonly hubspotClientSecret: ISecret;
  /** HubSpot access token, the app's static token or a service key (from the stateful stack); the backfill reads forms with it. */
  readonly hubspotAccessToken: ISecret;
  /** The HubSpot portal (hub) id whose forms the backfill sweeps. */
  readonly hubspotPortalId: number;
  /** GUIDs of the deal-registration forms the backfill sweeps. */
  readonly formGuids: readonly string[];
  /**
   * EventBridge Scheduler expression of the backfill, such as `rate(15 minutes)`.
   * @default - the SubmissionBackfill default (every 15 minutes)
   */
  readonly backfillSchedule?: string | undefined;
  /** Key the alarm topic is encrypted with (from the stateful stack); CloudWatch may use it. */
  readonly alarmsKey: IKey;
  /** Sender address of Dealreg's emails (an SES-verified identity). */
  readonly mailFrom: string;
  /**
   * Address that receives alarm notifications (confirm the subscription email).
   * @default - no subscription; subscribe to the topic yourself
   */
  readonly alarmEmail?: string | undefined;
  /**
   * Support address named in emails to submitters.
   * @default - none
   */
  readonly supportEmail?: string | undefined;
  /**
   * Form field mapping for portals whose form names fields differently.
   * @default - the default mapping
   */
  readonly formFieldMapping?: Readonly<Record<string, string>> | undefined;
}

/**
 * Code and wiring, safe to destroy and redeploy: one construct per capability, each granted
 * exactly what its functions need from the stateful stack.
 */
export class StatelessStack extends Stack {
  /** Every alarm of the app notifies this topic. */
  public readonly alarmTopic: Topic;
  public readonly registrationWorkflow: RegistrationWorkflow;
  public readonly submissionIntake: SubmissionIntake;
  public readonly submissionBackfill: SubmissionBackfill;
  public readonly attributionLedger: AttributionLedger;
  public readonly crmEvents: CrmEvents;
  public readonly dealCard: DealCard;
  public readonly approvals: Approvals;
  public readonly preQbrCheck: PreQbrCheck;
  /** AWS's answer to shared registrations; only when the policy's coSell is enabled. */
  public readonly coSell: CoSell | undefined;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);

    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'Dealreg alarms',
      masterKey: props.alarmsKey,
      enforceSSL: true,
    });
    // The topic policy enforceSSL creates replaces SNS's default one, which let the account's
    // CloudWatch alarms publish: without this statement every alarm action fails with "… is not
    // authorized to perform: SNS:Publish" ("Why didn't I receive an SNS notification for my
    // CloudWatch alarm trigger?", AWS Knowledge Center). This account's alarms in this Region only.
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowPublishFromThisAccountsAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.alarmEmail) {
      this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    }

    this.attributionLedger = new AttributionLedger(this, 'AttributionLedger', {
      alarmTopic: this.alarmTopic,
      table: props.ledgerTable,
      digestBucket: Bucket.fromBucketName(this, 'LedgerDigestBucket', props.ledgerDigestBucketName),
      macKey: props.ledgerMacKey,
    });

    // The steps email links to the intake API, created below: its URL is built from the API id
    // (not its stage), so the workflow does not depend on the API's methods, which depend on it.
    const apiUrl = Lazy.string({
      produce: () =>
        `https://${this.submissionIntake.api.restApiId}.execute-api.${this.region}.${this.urlSuffix}/${props.stage}/`,
    });
    this.registrationWorkflow = new RegistrationWorkflow(this, 'RegistrationWorkflow', {
      alarmTopic: this.alarmTopic,
      registrationsTable: props.registrationsTable,
      approvalsTable: props.approvalsTable,
      ledger: this.attributionLedger,
      hubspotAccessToken: props.hubspotAccessToken,
      hubspotPortalId: props.hubspotPortalId,
      approvalSigningKey: props.approvalSigningKey,
      approvalsApiUrl: apiUrl,
      mailFrom: props.mailFrom,
      policyText: props.policyText,
      supportEmail: props.supportEmail,
      registrationFormUrl: props.registrationFormUrl,
      usdRates: props.usdRates,
    });

    // Intake reads two settings of the policy, so it gets those rather than the whole policy.
    const intakePolicy = loadPolicy(props.policyText).policy;
    const { submittedAtToleranceHours } = intakePolicy.intake;
    const calendarTimeZone = intakePolicy.calendar.timeZone;
    this.submissionBackfill = new SubmissionBackfill(this, 'SubmissionBackfill', {
      sweeperStateTable: props.sweeperStateTable,
      registrationsTable: props.registrationsTable,
      registrationWorkflow: this.registrationWorkflow.stateMachine,
      hubspotAccessToken: props.hubspotAccessToken,
      portalId: props.hubspotPortalId,
      formGuids: props.formGuids,
      mailFrom: props.mailFrom,
      supportEmail: props.supportEmail,
      registrationFormUrl: props.registrationFormUrl,
      formFieldMapping: props.formFieldMapping,
      submittedAtToleranceHours,
      calendarTimeZone,
      schedule: props.backfillSchedule ? ScheduleExpression.expression(props.backfillSchedule) : undefined,
      alarmTopic: this.alarmTopic,
    });

    this.submissionIntake = new SubmissionIntake(this, 'SubmissionIntake', {
      registrationsTable: props.registrationsTable,
      registrationWorkflow: this.registrationWorkflow.stateMachine,
      // A workflow webhook is a trigger: stored, then a sweep is asked of the backfill.
      sweeperStateTable: props.sweeperStateTable,
      backfillFunction: this.submissionBackfill.function,
      hubspotClientSecret: props.hubspotClientSecret,
      mailFrom: props.mailFrom,
      supportEmail: props.supportEmail,
      registrationFormUrl: props.registrationFormUrl,
      formFieldMapping: props.formFieldMapping,
      submittedAtToleranceHours,
      calendarTimeZone,
      alarmTopic: this.alarmTopic,
      stageName: props.stage,
    });

    this.crmEvents = new CrmEvents(this, 'CrmEvents', {
      ledger: this.attributionLedger,
      api: this.submissionIntake.api,
      hubspotClientSecret: props.hubspotClientSecret,
      hubspotAccessToken: props.hubspotAccessToken,
      alarmTopic: this.alarmTopic,
      usdRates: props.usdRates,
    });

    this.dealCard = new DealCard(this, 'DealCard', {
      ledger: this.attributionLedger,
      registrationsTable: props.registrationsTable,
      api: this.submissionIntake.api,
      hubspotClientSecret: props.hubspotClientSecret,
      alarmTopic: this.alarmTopic,
    });

    // AWS's answer to shared registrations and AWS's referrals: only when the policy co-sells.
    const coSellPolicy = loadPolicy(props.policyText).policy.coSell;
    const hubspotPortal = {
      hubspotAccessToken: props.hubspotAccessToken,
      hubspotPortalId: props.hubspotPortalId,
      usdRates: props.usdRates,
    };
    this.approvals = new Approvals(this, 'Approvals', {
      api: this.submissionIntake.api,
      approvalsTable: props.approvalsTable,
      registrationsTable: props.registrationsTable,
      signingKey: props.approvalSigningKey,
      registrationWorkflow: this.registrationWorkflow.stateMachine,
      alarmTopic: this.alarmTopic,
      calendarTimeZone: props.calendarTimeZone || undefined,
      awsReferrals: coSellPolicy.enabled ? { policyText: props.policyText, ...hubspotPortal } : undefined,
    });

    this.preQbrCheck = new PreQbrCheck(this, 'PreQbrCheck', {
      alarmTopic: this.alarmTopic,
      ledger: this.attributionLedger,
      registrationsTable: props.registrationsTable,
      reportsBucket: Bucket.fromBucketName(this, 'ReportsBucket', reportsBucketName(props.stage)),
      hubspotAccessToken: props.hubspotAccessToken,
      hubspotPortalId: props.hubspotPortalId,
      mailFrom: props.mailFrom,
      policyDocument: props.policyText,
      ...(props.largePortfolioDeals === undefined ? {} : { largePortfolioDeals: props.largePortfolioDeals }),
    });

    if (coSellPolicy.enabled) {
      this.coSell = new CoSell(this, 'CoSell', {
        catalog: coSellPolicy.catalog,
        registrationsTable: props.registrationsTable,
        sweeperStateTable: props.sweeperStateTable,
        ledger: this.attributionLedger,
        alarmTopic: this.alarmTopic,
        awsReferrals: {
          policyText: props.policyText,
          approvalsTable: props.approvalsTable,
          signingKey: props.approvalSigningKey,
          apiBaseUrl: this.approvals.apiBaseUrl,
          mailFrom: props.mailFrom,
          ...hubspotPortal,
        },
      });
    }

    new CfnOutput(this, statelessOutputKeys.alarmTopicArn, { value: this.alarmTopic.topicArn });
    // What `dealreg doctor` checks: the sender identity, the portal, and the scheduled functions.
    new CfnOutput(this, statelessOutputKeys.mailFrom, {
      description: 'Sender address of Dealreg emails (an SES-verified address or domain)',
      value: props.mailFrom,
    });
    new CfnOutput(this, statelessOutputKeys.hubspotPortalId, {
      description: 'The HubSpot portal (hub) id this stage works with',
      value: String(props.hubspotPortalId),
    });
    new CfnOutput(this, statelessOutputKeys.backfillFunctionName, {
      description: 'The function the backfill schedule invokes',
      value: this.submissionBackfill.function.functionName,
    });
    new CfnOutput(this, statelessOutputKeys.ledgerDigestFunctionName, {
      description: 'The function that writes the daily ledger digest',
      value: this.attributionLedger.digestWriter.functionName,
    });
    // What `dealreg hubspot project` fills the HubSpot app with.
    new CfnOutput(this, apiUrlOutputKey, {
      description: 'Base URL of the Dealreg API (the HubSpot app posts CRM events under it)',
      value: this.submissionIntake.api.url,
    });
    new CfnOutput(this, 'LedgerVerifierRoleArn', {
      description:
        'Assume this role to run dealreg ledger verify (reads the ledger and digests, verifies MACs)',
      value: this.attributionLedger.verifierRole.roleArn,
    });
    new CfnOutput(this, 'DealCardUrl', {
      description:
        'The deal card endpoint: the HubSpot project variable DEALREG_DEAL_CARD_URL, and in the app’s permittedUrls.fetch',
      value: this.dealCard.url,
    });
    new CfnOutput(this, 'PreQbrCheckStateMachineArn', {
      description: 'Start an on-demand pre-QBR check with {"quarter": "2026-Q4"}',
      value: this.preQbrCheck.stateMachine.stateMachineArn,
    });
  }
}
