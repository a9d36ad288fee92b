import { Stack, Validations } from 'aws-cdk-lib';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { DealregFunction } from './dealreg-function.ts';

/** The Selling API is served from us-east-1 only ("AWS Partner Central API endpoints"). */
export const partnerCentralRegion = 'us-east-1';

/**
 * What a function may do in Partner Central: `read` gets and lists the catalog's opportunities
 * (AWS's answer); `share` also creates opportunities and submits them to AWS.
 */
export type CoSellAccess = 'read' | 'share';

/**
 * Co-sell with AWS in the policy's catalog, and nothing else in Partner Central. Actions and
 * resource ARNs as "Actions, resources, and condition keys for AWS Partner Central Selling"
 * (Service Authorization Reference) gives them: an Opportunity is
 * `arn:${Partition}:partnercentral:${Region}:${Account}:catalog/${Catalog}/opportunity/${Identifier}`,
 * the submission task `…:${Region}::catalog/${Catalog}/engagement-from-opportunity-task/${TaskId}`.
 * Creating and listing name no opportunity yet, so they are granted on `*` only for requests whose
 * `partnercentral:Catalog` is the policy's.
 */
export function grantCoSell(fn: DealregFunction, catalog: 'Sandbox' | 'AWS', access: CoSellAccess): void {
  const stack = Stack.of(fn);
  const region = partnerCentralRegion;
  const share = access === 'share';
  const opportunities = `arn:${stack.partition}:partnercentral:${region}:${stack.account}:catalog/${catalog}/opportunity/*`;
  const submissionTasks = `arn:${stack.partition}:partnercentral:${region}::catalog/${catalog}/engagement-from-opportunity-task/*`;
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: share
        ? [
            'partnercentral:GetOpportunity',
            'partnercentral:AssociateOpportunity',
            'partnercentral:StartEngagementFromOpportunityTask',
          ]
        : ['partnercentral:GetOpportunity'],
      resources: share ? [opportunities, submissionTasks] : [opportunities],
    }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: share
        ? ['partnercentral:CreateOpportunity', 'partnercentral:ListOpportunities']
        : ['partnercentral:ListOpportunities'],
      resources: ['*'],
      conditions: { StringEquals: { 'partnercentral:Catalog': catalog } },
    }),
  );
  // As cdk-nag names the ARNs once synthesized.
  const acknowledged = [
    `arn:<AWS::Partition>:partnercentral:${region}:<AWS::AccountId>:catalog/${catalog}/opportunity/*`,
    ...(share
      ? [
          `arn:<AWS::Partition>:partnercentral:${region}::catalog/${catalog}/engagement-from-opportunity-task/*`,
        ]
      : []),
  ];
  for (const resource of acknowledged) {
    Validations.of(roleOf(fn)).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${resource}]`,
      reason: share
        ? "Co-sell reads and submits the opportunities it creates, whose ids Partner Central assigns: every opportunity (and submission task) of the policy's catalog, no other catalog."
        : "AWS's answer names an opportunity Partner Central assigned: any opportunity of the policy's catalog is read, no other catalog, and nothing is written.",
    });
  }
  Validations.of(roleOf(fn)).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: share
      ? 'partnercentral:CreateOpportunity and ListOpportunities name no opportunity; they are limited by the partnercentral:Catalog condition to the catalog the policy names.'
      : 'partnercentral:ListOpportunities names no opportunity; it is limited by the partnercentral:Catalog condition to the catalog the policy names.',
  });
}

/**
 * What a function may do with AWS referrals (engagement invitations AWS sends the partner):
 * `review` reads them (GetEngagementInvitation); `answer` also accepts and rejects them.
 */
export type AwsReferralAccess = 'review' | 'answer';

/**
 * AWS referrals of the policy's catalog, and nothing else. "Actions, resources, and condition keys
 * for AWS Partner Central Selling" (Service Authorization Reference) names the invitation
 * `arn:${Partition}:partnercentral:${Region}::catalog/${Catalog}/engagement-invitation/${Identifier}`
 * (no account: AWS creates the invitation) as the resource of GetEngagementInvitation,
 * AcceptEngagementInvitation and RejectEngagementInvitation.
 */
export function grantAwsReferrals(
  fn: DealregFunction,
  catalog: 'Sandbox' | 'AWS',
  access: AwsReferralAccess,
): void {
  const stack = Stack.of(fn);
  const region = partnerCentralRegion;
  const answer = access === 'answer';
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: answer
        ? [
            'partnercentral:GetEngagementInvitation',
            'partnercentral:AcceptEngagementInvitation',
            'partnercentral:RejectEngagementInvitation',
          ]
        : ['partnercentral:GetEngagementInvitation'],
      resources: [
        `arn:${stack.partition}:partnercentral:${region}::catalog/${catalog}/engagement-invitation/*`,
      ],
    }),
  );
  Validations.of(roleOf(fn)).acknowledge({
    // As cdk-nag names the ARN once synthesized.
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:partnercentral:${region}::catalog/${catalog}/engagement-invitation/*]`,
    reason: answer
      ? "A referral's id is AWS's, named by the signed link: any invitation of the policy's catalog may be read, accepted or rejected, no other catalog, and no other Partner Central action."
      : "A referral's id is AWS's, named by Partner Central's event: any invitation of the policy's catalog may be read, no other catalog, and nothing is answered.",
  });
}

function roleOf(fn: DealregFunction): IRole {
  if (fn.role === undefined) throw new Error(`${fn.node.path} has no execution role`);
  return fn.role;
}
