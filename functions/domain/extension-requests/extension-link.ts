import { type LinkPurpose, signedLink } from '#domain/signed-links/link-token.ts';
import type { ApprovalSigningKey } from '#domain/signed-links/signing-key.ts';

/**
 * Extension request links: `GET /registrations/{registrationId}/extension?t=…`, for the partner
 * the expiry warning is sent to. Signed with the approval signing key; being links of another
 * purpose, they never open an approval page, nor the reverse.
 */
export const extensionLinks: LinkPurpose = {
  name: 'extension',
  link: 'extension link',
  page: 'extension page',
  act: 'extension request',
  subject: 'registration',
  otherHolder: 'someone else',
  wrongHolder: 'wrong-partner',
  path: (registrationId) => `registrations/${encodeURIComponent(registrationId)}/extension`,
};

/**
 * The link the expiry warning carries, signed for the registration and the partner it is sent
 * to, valid until `expiresAt` (the end of the offer).
 */
export function extensionRequestLink(
  key: ApprovalSigningKey,
  apiBaseUrl: string,
  offer: { registrationId: string; partnerEmail: string },
  expiresAt: Date,
): Promise<string> {
  return signedLink(key, extensionLinks, apiBaseUrl, {
    subject: offer.registrationId,
    holder: offer.partnerEmail,
    expiresAt,
  });
}
