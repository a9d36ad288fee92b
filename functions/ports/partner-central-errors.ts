/**
 * Named errors of co-sell with AWS Partner Central. The adapter turns the service's exceptions
 * into these, so use cases and handlers decide on them without knowing the SDK. Each keeps the
 * service's exception as `cause`.
 */
export class CoSellError extends Error {
  override readonly name: string = 'CoSellError';
}

/**
 * AWS refused the request as invalid (`ValidationException`): a field the opportunity needs is
 * missing or wrong. Not worth retrying; `fields` lists what AWS named.
 */
export class CoSellValidationError extends CoSellError {
  override readonly name = 'CoSellValidationError';
  readonly fields: readonly { readonly field: string; readonly message: string }[];

  constructor(
    message: string,
    options: { cause?: unknown; fields?: readonly { field: string; message: string }[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.fields = options.fields ?? [];
  }
}

/**
 * The request conflicts with what Partner Central holds (`ConflictException`): the client token
 * was used for a different opportunity, or the opportunity changed since it was read.
 */
export class CoSellConflictError extends CoSellError {
  override readonly name = 'CoSellConflictError';
}

/** The credentials may not do this in this catalog (`AccessDeniedException`): fix IAM or the Partner Central link. */
export class CoSellAccessDeniedError extends CoSellError {
  override readonly name = 'CoSellAccessDeniedError';
}

/** No such opportunity in the catalog (`ResourceNotFoundException`). */
export class CoSellOpportunityNotFoundError extends CoSellError {
  override readonly name = 'CoSellOpportunityNotFoundError';
}

/** Still throttled (`ThrottlingException`) after every retry: try the step again later. */
export class CoSellThrottledError extends CoSellError {
  override readonly name = 'CoSellThrottledError';
}

/** Partner Central failed or could not be reached through every retry: try the step again later. */
export class CoSellUnavailableError extends CoSellError {
  override readonly name = 'CoSellUnavailableError';
}
