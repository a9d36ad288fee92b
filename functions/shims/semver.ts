/**
 * Stands in for the `semver` package in function bundles (an esbuild alias set by
 * `DealregFunction`). Its only importer there is `aws-xray-sdk-core`, which the Powertools tracer
 * loads: the SDK's patcher for the AWS SDK v2 (`captureAWS`) requires it at load and calls
 * `semver.gte` only to check the v2 SDK's version. Dealreg traces SDK v3 clients
 * (`captureAWSv3Client`), which never reach it, so the package (28 KB minified) would load at
 * every cold start and never run. Should v2 capture ever be called, this says so instead of
 * answering a version comparison it cannot make.
 */
export function gte(version: string, minimum: string): boolean {
  throw new Error(
    `semver is not bundled: cannot compare ${version} with ${minimum} (aws-xray-sdk-core captureAWS, for the AWS SDK v2, is not used by Dealreg functions)`,
  );
}
