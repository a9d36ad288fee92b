/**
 * The reason a partner gives AWS for rejecting a referral, as RejectEngagementInvitation takes it:
 * `RejectionReason` matches `^[\u0020-\u007E\u00A0-\uD7FF\uE000-\uFFFD]{1,80}$` in the service's
 * published model (one line of at most 80 characters, no control characters, no emoji), and AWS
 * lists the reasons it tracks ("Customer problem unclear", "Next steps unclear", "Unable to
 * support", "Duplicate of partner referral", "Other": "RejectEngagementInvitation", AWS Partner
 * Central API reference).
 */
export const rejectionReasonMaxLength = 80;

const allowedCharacter = /^[\u0020-\u007E\u00A0-\uD7FF\uE000-\uFFFD]$/u;

/**
 * The reason as AWS takes it: every run of white space (a line break of a text box included) made
 * one space and the ends trimmed, or what is wrong with it, in words for the form.
 */
export function awsRejectionReason(text: string): { readonly reason: string } | { readonly problem: string } {
  const reason = text.replace(/\s+/gu, ' ').trim();
  const characters = [...reason];
  if (characters.length === 0) return { problem: 'is required: say why the referral is rejected' };
  if (characters.length > rejectionReasonMaxLength) {
    return {
      problem: `may be at most ${rejectionReasonMaxLength} characters, as Partner Central takes it (it has ${characters.length})`,
    };
  }
  const refused = [...new Set(characters.filter((character) => !allowedCharacter.test(character)))];
  if (refused.length > 0) {
    return {
      problem: `may not hold ${refused.map((character) => JSON.stringify(character)).join(', ')}: Partner Central takes letters, digits, punctuation and spaces only`,
    };
  }
  return { reason };
}
