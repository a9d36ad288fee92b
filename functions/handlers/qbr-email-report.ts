/** Lambda entry: "Email the report to leadership" of the pre-QBR workflow. */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SesMailer } from '#adapters/mail/ses-mailer.ts';
import { S3ReportStore } from '#adapters/reports/s3-report-store.ts';
import { createQbrReportMailer } from '#use-cases/qbr-delivery.ts';
import { readEnvironment } from './configuration.ts';
import { policyFrom, s3 } from './qbr-aws.ts';
import { qbrSettings } from './qbr-settings.ts';

const settings = readEnvironment({
  DEALREG_POLICY: qbrSettings.DEALREG_POLICY,
  REPORTS_BUCKET: qbrSettings.REPORTS_BUCKET,
  MAIL_FROM: qbrSettings.MAIL_FROM,
});

export const handler = createQbrReportMailer({
  reports: new S3ReportStore(s3, settings.REPORTS_BUCKET),
  mailer: new SesMailer({ client: new SESv2Client({}), from: settings.MAIL_FROM }),
  leadership: policyFrom(settings.DEALREG_POLICY).policy.reporting.leadership.map((person) => person.email),
});
