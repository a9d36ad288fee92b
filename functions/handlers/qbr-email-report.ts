/** Lambda entry: "Email the report to leadership" of the pre-QBR workflow. */
import { sesMailerFromEnvironment } from '#adapters/mail/ses-mailer.ts';
import { S3ReportStore } from '#adapters/reports/s3-report-store.ts';
import { createQbrReportMailer } from '#use-cases/qbr-delivery/report-mailer.ts';
import { s3 } from './wiring/clients/s3.ts';
import { ses } from './wiring/clients/ses.ts';
import { policySetting, readEnvironment, requiredSetting } from './wiring/configuration.ts';

const settings = readEnvironment({
  DEALREG_POLICY: policySetting,
  REPORTS_BUCKET: requiredSetting,
  MAIL_FROM: requiredSetting,
});

export const handler = createQbrReportMailer({
  reports: new S3ReportStore(s3, settings.REPORTS_BUCKET),
  mailer: sesMailerFromEnvironment(process.env, ses),
  leadership: settings.DEALREG_POLICY.policy.reporting.leadership.map((person) => person.email),
});
