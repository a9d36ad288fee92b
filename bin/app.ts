#!/usr/bin/env node
/**
 * The CDK app (`cdk.json` runs it): the stateful and stateless stacks for the stage named in
 * the context, checked by cdk-nag. Settings: see `contextKeys` in lib/dealreg-app.ts.
 */
import { createDealregApp } from '#lib/dealreg-app.ts';

createDealregApp();
