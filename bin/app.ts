#!/usr/bin/env node
/**
 * The CDK app (`cdk.json` runs it): the stateful and stateless stacks for the stage named in
 * the context, checked by cdk-nag. Settings: see `contextKeys` in lib/dealreg-app.ts.
 *
 * A setting Dealreg cannot deploy with (a `…ConfigurationError`: the context, the policy file,
 * co-sell outside us-east-1) stops the synth with its message alone and exit code 1; any other
 * error keeps its stack trace, as does every error with `DEALREG_DEBUG=1`.
 */
import { createDealregApp } from '#lib/dealreg-app.ts';

try {
  createDealregApp();
} catch (error) {
  const isSetting = error instanceof Error && error.name.endsWith('ConfigurationError');
  if (!isSetting || process.env.DEALREG_DEBUG === '1') throw error;
  console.error(error.message);
  // Exit now: on a normal exit the App would write an assembly without the stacks over cdk.out.
  process.exit(1);
}
