/** An item of the registrations table that is not a registration as Dealreg stores it. */
export class CorruptRegistrationItemError extends Error {
  override readonly name = 'CorruptRegistrationItemError';
  readonly tableName: string;
  readonly registrationId: string;
  /** One entry per problem, e.g. `details.estimatedAmount.currency: must be an ISO 4217 currency code such as USD`. */
  readonly issues: readonly string[];

  constructor(
    tableName: string,
    registrationId: string,
    issues: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      `item ${registrationId} of table ${tableName} is not a stored registration: ${issues.join('; ')}`,
      options,
    );
    this.tableName = tableName;
    this.registrationId = registrationId;
    this.issues = issues;
  }
}
