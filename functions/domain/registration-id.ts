import { createHash } from 'node:crypto';

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

/**
 * The registration id for a HubSpot conversion id: `DR-` and 16 Crockford base32 characters of
 * its SHA-256 (80 bits). Deterministic, so a redelivered or backfilled submission always maps
 * to the same registration and the same workflow execution name; short enough to read out on a
 * call.
 */
export function registrationIdFor(conversionId: string): string {
  const digest = createHash('sha256').update(`hubspot-conversion:${conversionId}`).digest();
  let bits = 0n;
  for (const byte of digest.subarray(0, 10)) bits = (bits << 8n) | BigInt(byte);
  let id = '';
  for (let i = 0; i < 16; i += 1) {
    id = (alphabet[Number(bits & 31n)] ?? '0') + id;
    bits >>= 5n;
  }
  return `DR-${id}`;
}

/** Whether `text` has the form `registrationIdFor` gives: `DR-` and 16 Crockford base32 characters. */
export function isRegistrationId(text: string): boolean {
  return /^DR-[0-9A-HJKMNP-TV-Z]{16}$/.test(text);
}
