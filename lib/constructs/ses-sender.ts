import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * Permission to send Dealreg's email as `mailFrom`. SES authorises sending against the verified
 * identity, which is the address itself or its domain; the mailer sends MIME (SESv2 SendEmail
 * with Content.Raw), which SES authorises as SendRawEmail.
 *
 * @param invalid builds the construct's own configuration error for an unusable address.
 */
export function sendEmailAsStatement(
  scope: Construct,
  mailFrom: string,
  invalid: (message: string) => Error,
): PolicyStatement {
  const at = mailFrom.lastIndexOf('@');
  const domain = at > 0 ? mailFrom.slice(at + 1) : '';
  if (!/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(domain)) {
    throw invalid(`mailFrom must be a plain email address such as deals@example.com; got "${mailFrom}"`);
  }
  const stack = Stack.of(scope);
  return new PolicyStatement({
    actions: ['ses:SendEmail', 'ses:SendRawEmail'],
    resources: [
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: mailFrom }),
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: domain.toLowerCase() }),
    ],
  });
}
