import { type StoredRegistration, storedRegistrationSchema } from '#domain/stored-registration.ts';
import { CorruptRegistrationItemError } from './corrupt-registration-item-error.ts';

/**
 * A registrations-table item read back as a stored registration.
 *
 * @throws CorruptRegistrationItemError naming the table, the key and every problem when the item
 * is not a registration as Dealreg stores it
 */
export function storedRegistrationFrom(item: Record<string, unknown>, tableName: string): StoredRegistration {
  const parsed = storedRegistrationSchema.safeParse(item);
  if (parsed.success) return parsed.data;
  throw new CorruptRegistrationItemError(
    tableName,
    String(item.registrationId),
    parsed.error.issues.map((issue) => `${issue.path.join('.') || '(item)'}: ${issue.message}`),
    { cause: parsed.error },
  );
}
