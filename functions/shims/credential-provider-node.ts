import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in function bundles (an esbuild alias set by
 * `DealregFunction`). Every SDK v3 client takes its default credentials from that package's
 * `defaultProvider`: a chain that tries the environment first, then the shared config files, SSO,
 * sign-in, web identity, processes and the container and instance metadata endpoints. The chain's
 * later links bring the nested STS, SSO, SSO-OIDC and sign-in clients into every bundle (with the
 * providers themselves, 110–136 KB minified), to be parsed at every cold start.
 *
 * In Lambda they never run: the runtime puts the execution role's credentials in
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` ("Defined runtime
 * environment variables", AWS Lambda Developer Guide), and the chain's first link, `fromEnv`,
 * answers with them. This stand-in is that first link alone; where the variables are missing, the
 * first AWS call fails with the SDK's own "Unable to find environment variable credentials".
 * Bundles only: the local stack and the tests run the functions from source with the whole chain.
 */
export function defaultProvider(init: Parameters<typeof fromEnv>[0] = {}): ReturnType<typeof fromEnv> {
  return fromEnv(init);
}
