/**
 * The deployment settings that are placeholders: the values `cdk.json` ships with so that
 * `cdk synth` works out of the box, and addresses at names reserved for examples. A stage deployed
 * with one would send mail from an address nobody owns or sweep a portal and form that are not
 * yours, so each is a synth warning (see `createDealregApp`), which `cdk deploy --strict` refuses.
 */

import {
  isReservedExampleDomain,
  placeholderFormGuid,
  placeholderPortalId,
} from '#domain/doctor/placeholders.ts';

/** What the placeholder check reads: the settings as the context gives them. */
export interface PlaceholderCandidates {
  readonly mailFrom: string;
  readonly alarmEmail?: string | undefined;
  readonly supportEmail?: string | undefined;
  readonly hubspotPortalId: number;
  readonly formGuids: readonly string[];
  readonly registrationFormUrl?: string | undefined;
}

/** One setting that holds a placeholder: its context key and why it cannot be deployed. */
export interface PlaceholderSetting {
  /** The `keyof` of `PlaceholderCandidates` it came from. */
  readonly setting: keyof PlaceholderCandidates;
  readonly value: string;
  readonly why: string;
  /** What to set instead, for the message. */
  readonly setTo: string;
}

function domainOfAddress(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

function hostOfUrl(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

const reservedWhy = 'a domain reserved for examples (RFC 2606), where no mail is delivered';

/** The settings that hold placeholders, in the order of `PlaceholderCandidates`. */
export function placeholderSettings(settings: PlaceholderCandidates): PlaceholderSetting[] {
  const found: PlaceholderSetting[] = [];
  const address = (
    setting: 'mailFrom' | 'alarmEmail' | 'supportEmail',
    setTo: string,
    value: string | undefined,
  ) => {
    if (value !== undefined && isReservedExampleDomain(domainOfAddress(value))) {
      found.push({ setting, value, why: reservedWhy, setTo });
    }
  };
  address('mailFrom', 'your SES-verified sender address', settings.mailFrom);
  address(
    'alarmEmail',
    'the address that gets the alarms (or nothing, -c dealreg:alarmEmail=, for no alarm emails)',
    settings.alarmEmail,
  );
  address('supportEmail', 'the address partners may write to', settings.supportEmail);
  if (settings.hubspotPortalId === placeholderPortalId) {
    found.push({
      setting: 'hubspotPortalId',
      value: String(settings.hubspotPortalId),
      why: 'the placeholder portal id of cdk.json',
      setTo: 'your portal (hub) id, the number in your HubSpot URLs',
    });
  }
  const placeholderGuid = settings.formGuids.find((guid) => guid.toLowerCase() === placeholderFormGuid);
  if (placeholderGuid !== undefined) {
    found.push({
      setting: 'formGuids',
      value: placeholderGuid,
      why: 'the placeholder form GUID of cdk.json',
      setTo: "your deal-registration form's GUID, from its editor URL",
    });
  }
  if (
    settings.registrationFormUrl !== undefined &&
    isReservedExampleDomain(hostOfUrl(settings.registrationFormUrl))
  ) {
    found.push({
      setting: 'registrationFormUrl',
      value: settings.registrationFormUrl,
      why: 'a domain reserved for examples (RFC 2606)',
      setTo: "your registration form's public URL",
    });
  }
  return found;
}
