import { loadPolicy } from '#domain/policy/load-policy.ts';

/** A policy carried in a function's code, and the version the stack declares for it. */
export interface BakedPolicy {
  /** The esbuild `define` that writes the policy into the bundle. */
  readonly define: Readonly<Record<string, string>>;
  /** `DEALREG_POLICY_VERSION`, which the function checks its code against at cold start. */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * Bakes a policy into a function's bundle: the expression `process.env.DEALREG_POLICY`, which
 * the functions' settings reader writes out (`functions/handlers/wiring/configuration.ts`),
 * becomes the policy's JSON text. One deployment runs one policy version, and the policy never
 * weighs on Lambda's 4 KB environment; only its version travels in the environment, so a cold
 * start refuses code built from another policy.
 */
export function bakedPolicy(policyText: string): BakedPolicy {
  return {
    define: { 'process.env.DEALREG_POLICY': JSON.stringify(policyText) },
    environment: { DEALREG_POLICY_VERSION: loadPolicy(policyText).policyVersion },
  };
}
