/**
 * The content types the webhook API treats as binary: every one. API Gateway then hands each
 * request body to the Lambda proxy integration base64-encoded, as the bytes that arrived, and
 * `isBase64Encoded` is true ("Binary media types for REST APIs in API Gateway"). Without a binary
 * media type, API Gateway treats every payload as UTF-8 text, and a body that is not UTF-8
 * reaches the function as a decoding of it, not as what HubSpot signed. Responses are unchanged:
 * a function that answers text with `isBase64Encoded` false is answered as text ("Return binary
 * media from a Lambda proxy integration in API Gateway", whose example answers both).
 *
 * Its own module, free of aws-cdk-lib, because the local API server applies the same list.
 */
export const apiBinaryMediaTypes: readonly string[] = ['*/*'];

/**
 * Whether a request's Content-Type is one of `binaryMediaTypes`, each `type/subtype` with `*`
 * standing for any type or subtype, as API Gateway's list allows. A request without a
 * Content-Type matches only `*\/*`.
 */
export function isBinaryMediaType(
  contentType: string | undefined,
  binaryMediaTypes: readonly string[],
): boolean {
  const [type = '', subtype = ''] = (contentType ?? '').split(';')[0]?.trim().toLowerCase().split('/') ?? [];
  return binaryMediaTypes.some((entry) => {
    const [entryType = '', entrySubtype = ''] = entry.toLowerCase().split('/');
    return (entryType === '*' || entryType === type) && (entrySubtype === '*' || entrySubtype === subtype);
  });
}
