/** A MIME part reduced to what the structure tests look at. */
export interface MimePart {
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly children: readonly MimePart[];
}

/**
 * Splits a raw message into its tree of parts by the multipart boundaries, so a test can assert
 * the nesting (mixed → alternative → related …). Content decoding is left to postal-mime.
 */
export function mimeTree(raw: string): MimePart {
  const separator = raw.indexOf('\r\n\r\n');
  const head = separator === -1 ? raw : raw.slice(0, separator);
  const body = separator === -1 ? '' : raw.slice(separator + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const contentTypeHeader = headers['content-type'] ?? 'text/plain';
  const contentType = (contentTypeHeader.split(';')[0] ?? '').trim().toLowerCase();
  const boundary = /boundary="?([^";]+)"?/i.exec(contentTypeHeader)?.[1];
  const children =
    contentType.startsWith('multipart/') && boundary !== undefined
      ? (body
          .split(`--${boundary}--`)[0]
          ?.split(`--${boundary}\r\n`)
          .slice(1)
          .map((part) => mimeTree(part.replace(/\r\n$/, ''))) ?? [])
      : [];
  return { contentType, headers, children };
}

/** The tree as nested content types, e.g. `multipart/mixed(multipart/alternative(text/plain,…),…)`. */
export function shape(part: MimePart): string {
  return part.children.length === 0
    ? part.contentType
    : `${part.contentType}(${part.children.map(shape).join(',')})`;
}
