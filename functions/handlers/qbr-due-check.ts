/** Lambda entry: "Decide whether the check is due" of the pre-QBR workflow. */

import { createQbrDueCheck } from '#use-cases/qbr-delivery.ts';
import { readEnvironment } from './configuration.ts';
import { policyFrom } from './qbr-aws.ts';
import { qbrSettings } from './qbr-settings.ts';

const settings = readEnvironment({ DEALREG_POLICY: qbrSettings.DEALREG_POLICY });

export const handler = createQbrDueCheck({
  policy: policyFrom(settings.DEALREG_POLICY),
  now: () => new Date(),
});
