import { CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { defaultSubmittedAtToleranceHours } from '#domain/submission-time.ts';
import { apiBinaryMediaTypes } from '#lib/api/binary-media-types.ts';
import { DealregFunction, type DealregLogLevel, handlerEntry } from './dealreg-function.ts';
import { grantSecretValues, grantTableAccess } from './grants.ts';
import { acknowledgeNoApiAuthorizer } from './nag-acknowledgements.ts';
import { sendEmailAsStatement } from './ses-sender.ts';

/** Raised when the intake is configured with a value it cannot use. */
export class SubmissionIntakeConfigurationError extends Error {
  override readonly name = 'SubmissionIntakeConfigurationError';
}

export interface SubmissionIntakeProps {
  /** Registrations table: the inbox the intake writes each submission to. */
  readonly registrationsTable: ITableV2;
  /** The workflow started once per registration. */
  readonly registrationWorkflow: IStateMachine;
  /**
   * SweeperState table: a workflow webhook (a trigger) is stored there, beside the backfill's
   * sweep states, with the time a sweep was last asked for.
   */
  readonly sweeperStateTable: ITableV2;
  /** The backfill function a trigger asks for a sweep of the forms (invoked asynchronously). */
  readonly backfillFunction: IFunction;
  /** Secrets Manager secret holding the HubSpot app client secret (signature v3 key). */
  readonly hubspotClientSecret: ISecret;
  /** Sender address of the emails to submitters; must be an SES-verified identity (address or domain). */
  readonly mailFrom: string;
  /**
   * Address submitters are told to write to for help.
   * @default - none; the emails name no support address
   */
  readonly supportEmail?: string | undefined;
  /**
   * The partner registration form's public URL, linked from the email telling a partner what to fix.
   * @default - the page a submission came from, when it names one
   */
  readonly registrationFormUrl?: string | undefined;
  /**
   * Form field mapping (registration field → HubSpot form field name) for portals whose form
   * names fields differently; passed to the function as JSON and validated there.
   * @default - the default mapping (DESIGN §3.1)
   */
  readonly formFieldMapping?: Readonly<Record<string, string>> | undefined;
  /**
   * The policy's `intake.submittedAtToleranceHours`: how long before its receipt a submission's
   * claimed time may lie before the submission is refused.
   * @default 72
   */
  readonly submittedAtToleranceHours?: number | undefined;
  /**
   * The policy's `calendar.timeZone`, in which the invalid-submission email gives the receipt
   * time, as every other partner email gives times. @default - UTC, said as such
   */
  readonly calendarTimeZone?: string | undefined;
  /** Topic that receives the function's alarms. */
  readonly alarmTopic: ITopic;
  /**
   * API Gateway stage name; the webhook URL is `https://…/{stageName}/hubspot/form-submissions`.
   * @default 'prod'
   */
  readonly stageName?: string;
  /**
   * Steady-state requests per second the stage accepts before answering 429 (HubSpot
   * retries 429 honouring Retry-After).
   * @default 50
   */
  readonly throttlingRateLimit?: number;
  /**
   * Burst of requests the stage accepts above the steady rate.
   * @default 100
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Log level of the intake function.
   * @default 'INFO'
   */
  readonly logLevel?: DealregLogLevel;
  /**
   * Retention of the API access logs.
   * @default RetentionDays.ONE_YEAR
   */
  readonly accessLogRetention?: RetentionDays;
  /**
   * The handler module; tests and forks may point elsewhere.
   * @default functions/handlers/form-submissions.ts
   */
  readonly entry?: string;
}

/**
 * Intake (DESIGN §3.1): the REST API HubSpot's workflow webhook posts to, and the function that
 * verifies what comes: a HubSpot record (a trigger) is stored and a sweep of the forms' submissions
 * is asked of the backfill; a form submission is stored and handed to the registration workflow.
 * The function may read and write Registrations items and SweeperState items (no delete, no scan),
 * invoke the backfill function, start the registration workflow, read the HubSpot client secret
 * and send mail from the sender identity — nothing else.
 */
export class SubmissionIntake extends Construct {
  public readonly api: RestApi;
  public readonly function: DealregFunction;
  public readonly accessLogs: LogGroup;
  /** The URL to configure in the HubSpot workflow "Send a webhook" action. */
  public readonly webhookUrl: string;

  constructor(scope: Construct, id: string, props: SubmissionIntakeProps) {
    super(scope, id);
    const sendEmailAs = sendEmailAsStatement(
      this,
      props.mailFrom,
      (message) => new SubmissionIntakeConfigurationError(message),
    );
    const stageName = props.stageName ?? 'prod';

    this.function = new DealregFunction(this, 'FormSubmissions', {
      entry: props.entry ?? handlerEntry('form-submissions.ts'),
      description: 'Dealreg intake: HubSpot workflow webhooks and form submissions',
      serviceName: 'dealreg-intake',
      alarmTopic: props.alarmTopic,
      logLevel: props.logLevel ?? 'INFO',
      environment: {
        REGISTRATIONS_TABLE: props.registrationsTable.tableName,
        SWEEPER_STATE_TABLE: props.sweeperStateTable.tableName,
        BACKFILL_FUNCTION_NAME: props.backfillFunction.functionName,
        REGISTRATION_WORKFLOW_ARN: props.registrationWorkflow.stateMachineArn,
        HUBSPOT_CLIENT_SECRET_ARN: props.hubspotClientSecret.secretArn,
        MAIL_FROM: props.mailFrom,
        ...(props.supportEmail ? { SUPPORT_EMAIL: props.supportEmail } : {}),
        ...(props.registrationFormUrl ? { REGISTRATION_FORM_URL: props.registrationFormUrl } : {}),
        ...(props.formFieldMapping ? { FORM_FIELD_MAPPING: JSON.stringify(props.formFieldMapping) } : {}),
        SUBMITTED_AT_TOLERANCE_HOURS: String(
          props.submittedAtToleranceHours ?? defaultSubmittedAtToleranceHours,
        ),
        ...(props.calendarTimeZone ? { CALENDAR_TIME_ZONE: props.calendarTimeZone } : {}),
      },
    });
    this.grantIntakePermissions(props, sendEmailAs);

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: `${Stack.of(this).stackName}-intake`,
      description: 'Dealreg: HubSpot webhooks',
      endpointTypes: [EndpointType.REGIONAL],
      // Every body reaches its function as the bytes sent, which is what HubSpot signs.
      binaryMediaTypes: [...apiBinaryMediaTypes],
      // API Gateway writes access and execution logs through the region's account-wide
      // CloudWatch role ("Set up CloudWatch API logging in API Gateway", API Gateway Developer
      // Guide): a stage with access logging is refused where that role was never set. The role
      // and the account setting are created here and retained when the stack is deleted, so
      // removing one stage never breaks another API's logging in the same account.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: accessLogFormat(),
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        tracingEnabled: true,
        throttlingRateLimit: props.throttlingRateLimit ?? 50,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 100,
      },
    });
    const cloudWatchRole = this.api.node.findChild('CloudWatchRole');
    Validations.of(cloudWatchRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "The account-wide role API Gateway assumes to write every API's logs in the region: AWS's own " +
        'policy for that role, which no resource ARN could narrow since it serves every API in the account.',
    });
    const formSubmissions = this.api.root.addResource('hubspot').addResource('form-submissions');
    // Proxy integration: the handler needs the raw body and headers to verify the signature,
    // and answers 400/413/415 with the problem named.
    const post = formSubmissions.addMethod('POST', new LambdaIntegration(this.function));
    this.webhookUrl = this.api.urlForPath(formSubmissions.path);

    acknowledgeNoApiAuthorizer(
      post,
      'HubSpot workflow webhooks cannot carry IAM, Cognito or API-key credentials; each request is ' +
        'authenticated by the HubSpot signature v3 (HMAC-SHA256 with the app client secret, timestamp ' +
        'within 5 minutes) verified in the function before anything is read or written.',
    );
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'The body is validated by the function after the signature check (zod, field-level messages, ' +
        'size and content type); an API Gateway model could only answer a generic 400.',
    });
    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'Only HubSpot-signed requests are processed (HMAC checked before any read or write) and stage ' +
        'throttling caps volume; a WAF web ACL can be attached by the account owner if policy requires it.',
    });

    new CfnOutput(this, 'WebhookUrl', {
      description: 'Target URL of the HubSpot workflow "Send a webhook" action (form submitted)',
      value: this.webhookUrl,
    });
  }

  private grantIntakePermissions(props: SubmissionIntakeProps, sendEmailAs: PolicyStatement): void {
    // Item-level reads and writes on the table only: no query, scan, batch or delete.
    grantTableAccess(this.function, [
      {
        table: props.registrationsTable,
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      },
      // Triggers and the sweep request: reads and conditional puts of single items.
      { table: props.sweeperStateTable, actions: ['dynamodb:GetItem', 'dynamodb:PutItem'] },
    ]);
    // The backfill function itself, unqualified (as the request names it): no version, no alias.
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [props.backfillFunction.functionArn],
      }),
    );
    props.registrationWorkflow.grantStartExecution(this.function);
    grantSecretValues(this.function, [props.hubspotClientSecret]);
    this.function.addToRolePolicy(sendEmailAs);
  }
}

/**
 * One JSON line per request: who called, what they got, how long it took and why an
 * integration failed. Headers (the signature) and bodies are never logged.
 */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: AccessLogField.contextRequestId(),
      xrayTraceId: AccessLogField.contextXrayTraceId(),
      requestTime: AccessLogField.contextRequestTime(),
      sourceIp: AccessLogField.contextIdentitySourceIp(),
      userAgent: AccessLogField.contextIdentityUserAgent(),
      httpMethod: AccessLogField.contextHttpMethod(),
      resourcePath: AccessLogField.contextResourcePath(),
      protocol: AccessLogField.contextProtocol(),
      status: AccessLogField.contextStatus(),
      responseLength: AccessLogField.contextResponseLength(),
      responseLatency: AccessLogField.contextResponseLatency(),
      integrationStatus: AccessLogField.contextIntegrationStatus(),
      integrationLatency: AccessLogField.contextIntegrationLatency(),
      integrationErrorMessage: AccessLogField.contextIntegrationErrorMessage(),
      errorMessage: AccessLogField.contextErrorMessage(),
    }),
  );
}
