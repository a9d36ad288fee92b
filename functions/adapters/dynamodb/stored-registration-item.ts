import { storedRegistrationSchema } from '#domain/stored-registration.ts';
import type { ItemKind } from './parse-item.ts';

/** An item of the registrations table: a registration as Dealreg stores it, keyed by its id. */
export const storedRegistrationItem: ItemKind<typeof storedRegistrationSchema> = {
  schema: storedRegistrationSchema,
  what: 'a stored registration',
  key: ['registrationId'],
};
