/** Lambda entry: "Decide whether the check is due" of the pre-QBR workflow. */

import { readEnvironment } from './configuration.ts';
import { policyFrom } from './qbr-aws.ts';
import { createQbrDueCheck } from './qbr-delivery.ts';
import { qbrSettings } from './qbr-settings.ts';

const settings = readEnvironment({ DEALREG_POLICY: qbrSettings.DEALREG_POLICY });

export const handler = createQbrDueCheck({
  policy: policyFrom(settings.DEALREG_POLICY),
  now: () => new Date(),
});
