/** Lambda entry: "Decide whether the check is due" of the pre-QBR workflow. */
import { createQbrDueCheck } from '#use-cases/qbr-delivery/due-check.ts';
import { policySetting, readEnvironment } from './wiring/configuration.ts';

const settings = readEnvironment({ DEALREG_POLICY: policySetting });

export const handler = createQbrDueCheck({
  policy: settings.DEALREG_POLICY,
  now: () => new Date(),
});
