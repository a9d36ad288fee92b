/**
 * A stored item that is not what Dealreg writes there: names the table, the item's key and every
 * problem, e.g. `item reg-1 of table Registrations is not a stored registration: details: …`.
 */
export class CorruptItemError extends Error {
  override readonly name = 'CorruptItemError';
  readonly tableName: string;
  /** The item's key as the message shows it (the values of the key attributes, `/`-separated). */
  readonly key: string;
  /** One entry per problem, e.g. `details.estimatedAmount.currency: must be an ISO 4217 currency code such as USD`. */
  readonly issues: readonly string[];

  constructor(
    item: { readonly tableName: string; readonly key: string; readonly what: string },
    issues: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`item ${item.key} of table ${item.tableName} is not ${item.what}: ${issues.join('; ')}`, options);
    this.tableName = item.tableName;
    this.key = item.key;
    this.issues = issues;
  }
}
