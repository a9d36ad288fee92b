/** A state machine definition that cannot be rendered or run locally: invalid ASL, an unresolvable reference, or a feature the local runner lacks. */
export class InvalidDefinitionError extends Error {
  override readonly name = 'InvalidDefinitionError';
}
