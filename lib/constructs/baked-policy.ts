/**
 * The esbuild `define` that bakes a policy into a function's bundle: the expression
 * `process.env.DEALREG_POLICY`, which the functions' settings reader writes out
 * (`functions/handlers/wiring/configuration.ts`), becomes the policy's JSON text. One deployment
 * runs one policy version, and the policy never weighs on Lambda's 4 KB environment.
 */
export function bakedPolicy(policyText: string): Readonly<Record<string, string>> {
  return { 'process.env.DEALREG_POLICY': JSON.stringify(policyText) };
}
