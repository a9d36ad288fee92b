/**
 * The placeholder values a stage must not be deployed with: those `cdk.json` ships with so that
 * `cdk synth` works out of the box, and names reserved for examples. The CDK app warns of them at
 * synth (lib/placeholder-settings.ts); `dealreg doctor` names a stage deployed with one.
 */

/** The portal id in `cdk.json`. */
export const placeholderPortalId = 1234567;

/** The form GUID in `cdk.json`. */
export const placeholderFormGuid = '0c8b5b4e-3f35-4c5e-9a3e-2f1a7d6b9c01';

/**
 * Second-level and top-level domains reserved for documentation and testing: RFC 2606 ("Reserved
 * Top Level DNS Names", sections 2 and 3), kept reserved by RFC 6761.
 */
const reservedSecondLevel = ['example.com', 'example.net', 'example.org'];
const reservedTopLevel = ['test', 'example', 'invalid', 'localhost'];

/** Whether a host name is, or is under, a name reserved for examples (`partners.example.com`, `yourco.test`). */
export function isReservedExampleDomain(host: string): boolean {
  const name = host.trim().toLowerCase().replace(/\.$/, '');
  const topLevel = name.split('.').at(-1) ?? '';
  return (
    reservedTopLevel.includes(topLevel) ||
    reservedSecondLevel.some((domain) => name === domain || name.endsWith(`.${domain}`))
  );
}
