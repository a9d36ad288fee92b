import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { type ApprovalSigningKey, signingKeyFromSecret } from '#domain/signed-links/signing-key.ts';
import { secretsManager } from './clients/secrets-manager.ts';
import { ConfigurationError } from './configuration.ts';

const secrets = new SecretsProvider({ awsSdkV3Client: secretsManager });

/**
 * The text of a Secrets Manager secret, cached for five minutes so a rotation takes effect
 * without a deploy.
 *
 * @param what - what the secret holds, for the error (`HubSpot client secret`).
 * @throws ConfigurationError naming the secret when it is empty or not text.
 */
export async function secretText(arn: string, what: string): Promise<string> {
  const value = await secrets.get(arn, { maxAge: 300 });
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigurationError(`the ${what} ${arn} is empty`);
  }
  return value;
}

/**
 * The approval signing key, read from its secret on each use (cached as {@link secretText}
 * caches): during a rotation the secret holds `{"current", "previous"}` and links signed with
 * either verify. The keys are derived again only when the secret's text changes.
 */
export function approvalSigningKey(secretArn: string): () => Promise<ApprovalSigningKey> {
  let derived: { readonly text: string; readonly key: ApprovalSigningKey } | undefined;
  return async () => {
    const text = await secretText(secretArn, 'approval signing key');
    if (derived?.text !== text) derived = { text, key: signingKeyFromSecret(text) };
    return derived.key;
  };
}
