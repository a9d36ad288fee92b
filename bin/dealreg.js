#!/usr/bin/env node
/**
 * What `npx dealreg` runs. Plain JavaScript on purpose: it turns Node's compile cache on before the
 * first TypeScript file is loaded, so later runs skip stripping the types of the CLI's modules
 * again (half the start-up time of `dealreg --help`). The CLI itself is `dealreg.ts`.
 */
import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('./dealreg.ts');
