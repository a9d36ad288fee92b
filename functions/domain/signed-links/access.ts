import * as z from 'zod';

/** When, from which user agent and which source IP a page was opened or its form sent. */
export const accessSchema = z.object({
  at: z.iso.datetime(),
  userAgent: z.string(),
  sourceIp: z.string(),
});
export type Access = z.infer<typeof accessSchema>;

/** The access of a request, as the HTTP edge sees it: everything but when. */
export type RequestAccess = Omit<Access, 'at'>;

/** The access of a request at `now`. */
export function accessAt(access: RequestAccess, now: Date): Access {
  return { ...access, at: now.toISOString() };
}
