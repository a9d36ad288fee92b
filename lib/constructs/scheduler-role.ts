import { Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * A role for one EventBridge Scheduler target that only the scheduler of this account's default
 * schedule group may assume (no confused deputy). It starts empty: the schedule's target grants
 * what it invokes. A construct's own role rather than the stack-wide one the targets would share,
 * so each grant and its cdk-nag finding stay with their capability.
 */
export function createSchedulerRole(scope: Construct, id: string, description: string): Role {
  const stack = Stack.of(scope);
  return new Role(scope, id, {
    description,
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        StringEquals: {
          'aws:SourceAccount': stack.account,
          'aws:SourceArn': stack.formatArn({
            service: 'scheduler',
            resource: 'schedule-group',
            resourceName: 'default',
          }),
        },
      },
    }),
  });
}
