import { DynamoDbRegistrationInbox } from '#adapters/dynamodb/registration-inbox.ts';
import { sesMailerFromEnvironment } from '#adapters/mail/ses-mailer.ts';
import { StepFunctionsRegistrationWorkflow } from '#adapters/stepfunctions/step-functions-registration-workflow.ts';
import type { FormFieldMapping } from '#domain/form-field-mapping.ts';
import type { ReceiveSubmissionDependencies } from '#use-cases/receive-submission.ts';
import { documentClient } from './clients/dynamodb.ts';
import { ses } from './clients/ses.ts';
import { stepFunctions } from './clients/step-functions.ts';

/**
 * The intake's AWS adapters, as every function that takes in submissions (the webhook and the
 * backfill) wires them: the DynamoDB inbox, the Step Functions workflow, the SES mailer
 * (`MAIL_FROM`, `SES_CONFIGURATION_SET` from the environment), the partner form the
 * invalid-submission email links (`REGISTRATION_FORM_URL`), and the policy's tolerance for a
 * submission's claimed time (`SUBMITTED_AT_TOLERANCE_HOURS`), and its calendar's zone
 * (`CALENDAR_TIME_ZONE`).
 */
export function awsIntakeDependencies(settings: {
  readonly REGISTRATIONS_TABLE: string;
  readonly REGISTRATION_WORKFLOW_ARN: string;
  readonly FORM_FIELD_MAPPING: FormFieldMapping;
  readonly SUPPORT_EMAIL?: string | undefined;
  readonly REGISTRATION_FORM_URL?: string | undefined;
  readonly SUBMITTED_AT_TOLERANCE_HOURS?: number | undefined;
  readonly CALENDAR_TIME_ZONE?: string | undefined;
}): ReceiveSubmissionDependencies {
  return {
    inbox: new DynamoDbRegistrationInbox(documentClient, settings.REGISTRATIONS_TABLE),
    workflow: new StepFunctionsRegistrationWorkflow(stepFunctions, settings.REGISTRATION_WORKFLOW_ARN),
    mailer: sesMailerFromEnvironment(process.env, ses),
    formFieldMapping: settings.FORM_FIELD_MAPPING,
    now: () => new Date(),
    supportEmail: settings.SUPPORT_EMAIL,
    registrationFormUrl: settings.REGISTRATION_FORM_URL,
    submittedAtToleranceHours: settings.SUBMITTED_AT_TOLERANCE_HOURS,
    calendarTimeZone: settings.CALENDAR_TIME_ZONE,
  };
}
