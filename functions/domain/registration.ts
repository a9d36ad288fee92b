import * as z from 'zod';
import { countryCode } from './country.ts';
import {
  type FormFieldMapping,
  type RegistrationFieldName,
  registrationFieldNames,
} from './form-field-mapping.ts';
import type { FormSubmission } from './form-submission.ts';
import { isCurrencyCode, type Money, moneySchema, parseAmount } from './money.ts';
import { isFreeEmailDomain, normaliseCompanyName, registrableDomain } from './normalise.ts';

export const cloudMarketplaces = ['aws', 'azure', 'gcp', 'none'] as const;
export type CloudMarketplace = (typeof cloudMarketplaces)[number];

/** A deal registration as the partner submitted it, validated and normalised. */
export const registrationDetailsSchema = z.object({
  submitterEmail: z.string(),
  /** Registrable domain of the partner company. */
  partnerDomain: z.string(),
  customerCompanyName: z.string(),
  /** The customer name for matching: case-folded, legal suffixes removed. */
  customerCompanyKey: z.string(),
  /** Registrable domain of the customer. */
  customerDomain: z.string(),
  customerCountry: z.string().optional(),
  estimatedAmount: moneySchema,
  /** YYYY-MM-DD. */
  expectedCloseDate: z.string(),
  products: z.array(z.string()).readonly(),
  campaignId: z.string().optional(),
  cloudMarketplace: z.enum(cloudMarketplaces),
  dealDescription: z.string().optional(),
});
export type RegistrationDetails = z.infer<typeof registrationDetailsSchema>;

/**
 * The submission's claimed time, checked at intake beside the fields. It is no form field (HubSpot
 * sets it, or whoever calls its submit API), so its problem names the submission's `submittedAt`.
 */
const submissionTimeField = 'submittedAt';
/** A submission larger than Dealreg keeps: its problem names the submission's `values` as a whole. */
const submissionValuesField = 'values';

/** A registration field the partner has to fix, named the way the form names it. */
export const fieldProblemSchema = z.object({
  field: z.enum([...registrationFieldNames, submissionTimeField, submissionValuesField]),
  /** The label a partner sees, e.g. "Customer domain". */
  label: z.string(),
  /** The HubSpot form field it came from. */
  formField: z.string(),
  message: z.string(),
  value: z.string().optional(),
});
type FieldProblem = z.infer<typeof fieldProblemSchema>;

export type SubmissionEvaluation =
  | { readonly valid: true; readonly details: RegistrationDetails }
  | {
      readonly valid: false;
      readonly problems: readonly FieldProblem[];
      /** The submitter's address if it is usable, to tell them what to fix. */
      readonly submitterEmail?: string | undefined;
      readonly customerCompanyName?: string | undefined;
    };

const fieldLabels: Readonly<Record<RegistrationFieldName, string>> = {
  submitterEmail: 'Your email',
  partnerDomain: 'Partner company domain',
  customerCompanyName: 'Customer company name',
  customerDomain: 'Customer domain',
  customerCountry: 'Customer country',
  estimatedAmount: 'Estimated amount',
  currency: 'Currency',
  expectedCloseDate: 'Expected close date',
  products: 'Products',
  campaignId: 'Campaign',
  cloudMarketplace: 'Cloud marketplace',
  dealDescription: 'Deal description',
};

const emailSchema = z.email();
const multiValued: ReadonlySet<RegistrationFieldName> = new Set(['products']);

/** The problem of a submission whose claimed time intake refuses (`checkSubmittedAt`). */
export function submissionTimeProblem(reason: string, claimed: number | string | undefined): FieldProblem {
  return {
    field: submissionTimeField,
    label: 'Submission time',
    formField: submissionTimeField,
    message: reason,
    value: claimed === undefined ? undefined : String(claimed),
  };
}

/** The problem of a submission cut to what the registrations table keeps (`fitForStorage`). */
export function submissionSizeProblem(refusal: string): FieldProblem {
  return {
    field: submissionValuesField,
    label: 'Form answers',
    formField: submissionValuesField,
    message: refusal,
  };
}

/** The most characters of a value a problem quotes. */
const maxQuotedCharacters = 1_000;

/**
 * A problem's text as stored with the registration and emailed: a long value is quoted by its
 * start, saying how long it was. A registration keeps the whole submission beside its problems,
 * and has to fit a DynamoDB item (400 KB): quoting each long value whole could pass that.
 */
function quotable(text: string): string {
  if (text.length <= maxQuotedCharacters) return text;
  // Never half of a character written as two UTF-16 units.
  const low = text.charCodeAt(maxQuotedCharacters);
  const end = low >= 0xdc00 && low <= 0xdfff ? maxQuotedCharacters - 1 : maxQuotedCharacters;
  return `${text.slice(0, end)}… (${text.length.toLocaleString('en-US')} characters, shortened)`;
}

/** Reads the submission's values by registration field through the form field mapping. */
function readFields(submission: FormSubmission, mapping: FormFieldMapping) {
  const byFormField = new Map<string, string[]>();
  for (const { name, value } of submission.values) {
    const list = byFormField.get(name) ?? [];
    list.push(value);
    byFormField.set(name, list);
  }
  return (field: RegistrationFieldName): string => {
    const values = (byFormField.get(mapping[field]) ?? [])
      .map((value) => value.trim())
      .filter((v) => v !== '');
    return multiValued.has(field) ? values.join(';') : (values[0] ?? '');
  };
}

/**
 * HubSpot date pickers send YYYY-MM-DD; the Forms API may list them as midnight-UTC epoch
 * milliseconds (HubSpot "Properties" guide, date properties).
 *
 * A 9- or 10-digit number is read as epoch seconds: as milliseconds it would be a day between
 * 2 January and 26 April 1970, which no partner means, while as seconds it is the date the sender
 * meant (a tool or import that writes Unix time). Reading it so is what the partner expects: the
 * date they picked is kept, or, if it is truly past, refused naming that date rather than one in
 * 1970. 11 to 13 digits stay milliseconds (as seconds they would lie past the year 5000).
 */
function parseCalendarDate(text: string): string | undefined {
  let iso = text;
  if (/^\d{9,13}$/.test(text)) {
    const epoch = Number(text);
    const date = new Date(text.length <= 10 ? epoch * 1000 : epoch);
    if (Number.isNaN(date.getTime())) return undefined;
    iso = date.toISOString().slice(0, 10);
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const roundTrips =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return roundTrips ? iso : undefined;
}

/**
 * The calendar date at `instant` where it is earliest on Earth (UTC−12): a date before it is
 * in the past for everyone, while any later one is still today somewhere, so a partner in
 * Hawaii who enters today's date is not told it is in the past.
 */
function earliestDateAt(instant: Date): string {
  return new Date(instant.getTime() - 12 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * Checks a submission's business fields and normalises them. Every problem is reported at once,
 * each naming the form field, so the partner can fix the whole form in one go. "In the past" is
 * judged against `receivedAt`, when Dealreg received the submission, not the time it claims: a
 * close date before the date of the receipt everywhere on Earth is refused. How far ahead one may
 * lie is the policy's (`intake.closeDateHorizonMonths`): the conflict check sends a later one to
 * an approver.
 */
export function evaluateSubmission(
  submission: FormSubmission,
  mapping: FormFieldMapping,
  receivedAt: Date,
): SubmissionEvaluation {
  const read = readFields(submission, mapping);
  const problems: FieldProblem[] = [];
  const problem = (field: RegistrationFieldName, message: string, value?: string) => {
    problems.push({
      field,
      label: fieldLabels[field],
      formField: mapping[field],
      message: quotable(message),
      value: value === '' || value === undefined ? undefined : quotable(value),
    });
  };
  const required = (field: RegistrationFieldName): string | undefined => {
    const value = read(field);
    if (value === '') {
      problem(field, `${fieldLabels[field]} is required`);
      return undefined;
    }
    return value;
  };
  const limited = (field: RegistrationFieldName, value: string, max: number): string | undefined => {
    if (value.length <= max) return value;
    problem(field, `${fieldLabels[field]} is at most ${max} characters (got ${value.length})`);
    return undefined;
  };

  const emailText = required('submitterEmail');
  const submitterEmail =
    emailText !== undefined && emailSchema.safeParse(emailText).success ? emailText : undefined;
  if (emailText !== undefined && submitterEmail === undefined) {
    problem('submitterEmail', `"${emailText}" is not an email address`, emailText);
  }

  const domainField = (field: 'partnerDomain' | 'customerDomain'): string | undefined => {
    const text = required(field);
    if (text === undefined) return undefined;
    const domain = registrableDomain(text);
    if (domain === undefined) {
      problem(field, `"${text}" is not a company web domain such as example.com`, text);
    } else if (isFreeEmailDomain(domain)) {
      // No company is at a free email provider: the partner could only be declined as unknown.
      const [company, website] =
        field === 'customerDomain'
          ? ["the customer's company domain", "the customer's website"]
          : ["your company's domain", "your company's website"];
      problem(
        field,
        `"${text}" is a free email provider (${domain}), not ${company}: enter the domain of ${website}, such as example.com`,
        text,
      );
      return undefined;
    }
    return domain;
  };
  const partnerDomain = domainField('partnerDomain');
  const customerDomain = domainField('customerDomain');
  if (partnerDomain !== undefined && partnerDomain === customerDomain) {
    problem(
      'customerDomain',
      `the customer domain is your own company's domain (${partnerDomain})`,
      customerDomain,
    );
  }

  const nameText = required('customerCompanyName');
  let customerCompanyName =
    nameText === undefined ? undefined : limited('customerCompanyName', nameText, 200);
  // The conflict check matches customers by the name's letters and digits: a name of none
  // ("—", "...") matches nothing and could not be checked.
  if (customerCompanyName !== undefined && normaliseCompanyName(customerCompanyName) === '') {
    problem(
      'customerCompanyName',
      `"${customerCompanyName}" has no letters or digits: enter the customer's company name`,
      customerCompanyName,
    );
    customerCompanyName = undefined;
  }

  // The policy's regions are ISO 3166 codes: a country only a person could read would route the
  // registration past its region's approvers.
  const countryText = read('customerCountry');
  const customerCountry = countryText === '' ? undefined : countryCode(countryText);
  if (countryText !== '' && customerCountry === undefined) {
    problem(
      'customerCountry',
      `"${countryText}" is not a country: enter its name, such as Germany, or its ISO 3166 code, such as DE`,
      countryText,
    );
  }

  const currencyText = read('currency').toUpperCase() || 'USD';
  const currency = isCurrencyCode(currencyText) ? currencyText : undefined;
  if (currency === undefined) {
    problem(
      'currency',
      `"${read('currency')}" is not an ISO 4217 currency code such as USD or EUR`,
      read('currency'),
    );
  }

  const amountText = required('estimatedAmount');
  let estimatedAmount: Money | undefined;
  if (amountText !== undefined) {
    // With a currency that is no currency, the code or symbol beside the amount is not compared.
    const parsed = parseAmount(amountText, currency ?? 'USD', { currencyKnown: currency !== undefined });
    if (!parsed.ok) problem('estimatedAmount', `${fieldLabels.estimatedAmount} ${parsed.reason}`, amountText);
    else if (parsed.money.minorUnits === 0)
      problem('estimatedAmount', 'Estimated amount must be more than zero', amountText);
    else if (currency !== undefined) estimatedAmount = parsed.money;
  }

  const closeText = required('expectedCloseDate');
  let expectedCloseDate: string | undefined;
  if (closeText !== undefined) {
    const parsed = parseCalendarDate(closeText);
    const earliestToday = earliestDateAt(receivedAt);
    if (parsed === undefined) {
      problem('expectedCloseDate', `"${closeText}" is not a date in the form YYYY-MM-DD`, closeText);
    } else if (parsed < earliestToday) {
      problem(
        'expectedCloseDate',
        `the expected close date ${parsed} is in the past (it was ${earliestToday} or later everywhere when the registration was received)`,
        closeText,
      );
    } else {
      expectedCloseDate = parsed;
    }
  }

  const products = [
    ...new Set(
      read('products')
        .split(';')
        .map((product) => product.trim())
        .filter((product) => product !== ''),
    ),
  ];
  const longProduct = products.find((product) => product.length > 100);
  if (longProduct !== undefined)
    problem('products', 'each product name is at most 100 characters', longProduct);

  const campaignText = read('campaignId');
  const campaignId = campaignText === '' ? undefined : limited('campaignId', campaignText, 100);

  const marketplaceText = read('cloudMarketplace').toLowerCase() || 'none';
  const cloudMarketplace = (cloudMarketplaces as readonly string[]).includes(marketplaceText)
    ? (marketplaceText as CloudMarketplace)
    : undefined;
  if (cloudMarketplace === undefined) {
    problem(
      'cloudMarketplace',
      `"${read('cloudMarketplace')}" is not one of aws, azure, gcp or none`,
      read('cloudMarketplace'),
    );
  }

  const descriptionText = read('dealDescription');
  const dealDescription =
    descriptionText === '' ? undefined : limited('dealDescription', descriptionText, 5000);

  if (
    problems.length > 0 ||
    submitterEmail === undefined ||
    partnerDomain === undefined ||
    customerDomain === undefined ||
    customerCompanyName === undefined ||
    estimatedAmount === undefined ||
    expectedCloseDate === undefined ||
    cloudMarketplace === undefined
  ) {
    return {
      valid: false,
      problems,
      submitterEmail,
      customerCompanyName: nameText,
    };
  }
  return {
    valid: true,
    details: {
      submitterEmail,
      partnerDomain,
      customerCompanyName,
      customerCompanyKey: normaliseCompanyName(customerCompanyName),
      customerDomain,
      customerCountry,
      estimatedAmount,
      expectedCloseDate,
      products,
      campaignId,
      cloudMarketplace,
      dealDescription,
    },
  };
}
