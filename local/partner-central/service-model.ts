import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as sdk from '@aws-sdk/client-partnercentral-selling';

/**
 * The Partner Central Selling API model, read from the SDK package, to check a value against it:
 * the runtime schemas the package ships (`<Shape>$`: member names, which are required, nesting,
 * lists and timestamps), the enums its declarations name for each member (`models_0.d.ts`,
 * `enums.d.ts`), and the length and pattern limits of the service's published Smithy model
 * (aws/api-models-aws `partnercentral-selling/service/2022-07-26`), which the package leaves out.
 * The stand-in answers ValidationException from it; the contract tests check every request the
 * adapter sends and every answer the stand-in gives with it.
 */

export type ModelProblemCode =
  | 'REQUIRED_FIELD_MISSING'
  | 'INVALID_ENUM_VALUE'
  | 'INVALID_STRING_FORMAT'
  | 'INVALID_VALUE';

export interface ModelProblem {
  /** Dotted path from the shape's root, e.g. `Project.ExpectedCustomerSpend[0].Frequency`. */
  readonly path: string;
  readonly message: string;
  readonly code: ModelProblemCode;
}

/**
 * `wire`: the JSON on the wire (timestamps as the model's format: ISO-8601 strings for
 * `date-time`, epoch seconds otherwise). `sdk`: the objects the SDK takes and returns (Date).
 */
export type ValueForm = 'wire' | 'sdk';

interface Limit {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
}

const date = /^[1-9][0-9]{3}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$/;
const email =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const opportunityId = /^O[0-9]{1,19}$/;
const catalog = /^[a-zA-Z]+$/;
/** "GetEngagementInvitation" (API reference): `(arn:.*|engi-[0-9a-z]{13})`, 1–255 characters. */
const invitationId = /^(arn:.*|engi-[0-9a-z]{13})$/;

/**
 * Length, range and pattern traits of the members Dealreg sends or reads, by `Shape.Member`, as
 * the published Smithy model states them (string lengths in Unicode code points, as Smithy's length
 * trait counts them; list lengths in items).
 */
const limits: Readonly<Record<string, Limit>> = {
  'CreateOpportunityRequest.Catalog': { pattern: catalog },
  'CreateOpportunityRequest.ClientToken': { min: 1 },
  'CreateOpportunityRequest.PartnerOpportunityIdentifier': { max: 64 },
  'CreateOpportunityRequest.OpportunityTeam': { max: 1 },
  'UpdateOpportunityRequest.Identifier': { pattern: opportunityId },
  'UpdateOpportunityRequest.PartnerOpportunityIdentifier': { max: 64 },
  'GetOpportunityRequest.Catalog': { pattern: catalog },
  'GetOpportunityRequest.Identifier': { pattern: opportunityId },
  'ListOpportunitiesRequest.Catalog': { pattern: catalog },
  'ListOpportunitiesRequest.MaxResults': { min: 1, max: 100 },
  'ListOpportunitiesRequest.Identifier': { max: 20 },
  'ListOpportunitiesRequest.LifeCycleStage': { max: 10 },
  'ListOpportunitiesRequest.LifeCycleReviewStatus': { max: 10 },
  'ListOpportunitiesRequest.CustomerCompanyName': { max: 10 },
  'AssociateOpportunityRequest.Catalog': { pattern: catalog },
  'AssociateOpportunityRequest.OpportunityIdentifier': { pattern: opportunityId },
  'StartEngagementFromOpportunityTaskRequest.Catalog': { pattern: catalog },
  'StartEngagementFromOpportunityTaskRequest.ClientToken': { pattern: /^[!-~]{1,64}$/ },
  'StartEngagementFromOpportunityTaskRequest.Identifier': { pattern: opportunityId },
  'GetEngagementInvitationRequest.Catalog': { pattern: catalog },
  'GetEngagementInvitationRequest.Identifier': { min: 1, max: 255, pattern: invitationId },
  'AcceptEngagementInvitationRequest.Catalog': { pattern: catalog },
  'AcceptEngagementInvitationRequest.Identifier': { min: 1, max: 255, pattern: invitationId },
  'RejectEngagementInvitationRequest.Catalog': { pattern: catalog },
  'RejectEngagementInvitationRequest.Identifier': { min: 1, max: 255, pattern: invitationId },
  // "RejectEngagementInvitation" (API reference): one line of 1–80 characters, no control characters.
  'RejectEngagementInvitationRequest.RejectionReason': {
    pattern: /^[\u0020-\u007E\u00A0-\uD7FF\uE000-\uFFFD]{1,80}$/u,
  },
  'ListEngagementInvitationsRequest.Catalog': { pattern: catalog },
  'ListEngagementInvitationsRequest.MaxResults': { min: 1, max: 100 },
  'GetEngagementInvitationResponse.Id': { min: 1, max: 255, pattern: invitationId },
  'GetEngagementInvitationResponse.EngagementId': { pattern: /^eng-[0-9a-z]{14}$/ },
  'GetEngagementInvitationResponse.EngagementTitle': { min: 1, max: 40 },
  'EngagementInvitationSummary.Id': { min: 1, max: 255, pattern: invitationId },
  'EngagementInvitationSummary.EngagementId': { pattern: /^eng-[0-9a-z]{14}$/ },
  'EngagementInvitationSummary.EngagementTitle': { min: 1, max: 40 },
  'EngagementCustomer.CompanyName': { min: 1, max: 120 },
  'EngagementCustomer.WebsiteUrl': { min: 4, max: 255 },
  'ProjectDetails.Title': { min: 1, max: 255 },
  'ProjectDetails.BusinessProblem': { min: 20, max: 2000 },
  'ProjectDetails.TargetCompletionDate': { pattern: date },
  'Account.CompanyName': { max: 120 },
  'Account.WebsiteUrl': { min: 4, max: 255 },
  'Account.OtherIndustry': { max: 255 },
  'Address.City': { max: 255 },
  'Address.PostalCode': { max: 20 },
  'Address.StreetAddress': { max: 255 },
  'Contact.Email': { max: 80, pattern: email },
  'Contact.FirstName': { max: 80 },
  'Contact.LastName': { max: 80 },
  'Contact.BusinessTitle': { max: 80 },
  'Contact.Phone': { max: 40, pattern: /^\+[1-9]\d{1,14}$/ },
  'Project.Title': { max: 255 },
  'Project.CustomerBusinessProblem': { min: 20, max: 2000 },
  'Project.ExpectedCustomerSpend': { min: 1 },
  'Project.OtherSolutionDescription': { max: 255 },
  'Project.AdditionalComments': { min: 1, max: 255 },
  // "ExpectedCustomerSpend" (AWS Partner Central API reference): Amount a decimal of at most two
  // places; CurrencyCode "Accepted values are USD (US Dollars) and EUR (Euros)" although the
  // model's CurrencyCode enum lists every ISO 4217 code.
  'ExpectedCustomerSpend.Amount': { pattern: /^(0|([1-9][0-9]{0,30}))(\.[0-9]{0,2})?$/ },
  'ExpectedCustomerSpend.CurrencyCode': { pattern: /^(USD|EUR)$/ },
  'ExpectedCustomerSpend.TargetCompany': { min: 1, max: 80 },
  'ExpectedCustomerSpend.EstimationUrl': { min: 4, max: 255 },
  'LifeCycle.TargetCloseDate': { pattern: date },
  'LifeCycle.NextSteps': { max: 255 },
  'LifeCycle.NextStepsHistory': { max: 50 },
  'LifeCycleSummary.TargetCloseDate': { pattern: date },
  'GetOpportunityResponse.Id': { pattern: opportunityId },
  'OpportunitySummary.Id': { pattern: opportunityId },
  'CreateOpportunityResponse.Id': { pattern: opportunityId },
  'StartEngagementFromOpportunityTaskResponse.TaskId': { pattern: /^task-[0-9a-z]{13}$/ },
  'StartEngagementFromOpportunityTaskResponse.OpportunityId': { pattern: opportunityId },
  'StartEngagementFromOpportunityTaskResponse.EngagementId': { pattern: /^eng-[0-9a-z]{14}$/ },
  'StartEngagementFromOpportunityTaskResponse.EngagementInvitationId': { pattern: /^engi-[0-9,a-z]{13}$/ },
  'StartEngagementFromOpportunityTaskResponse.ResourceSnapshotJobId': { pattern: /^job-[0-9a-z]{13}$/ },
};

// ---- the package's declarations: which enum each member holds --------------------------------

const require = createRequire(import.meta.url);
const typesDir = join(
  dirname(require.resolve('@aws-sdk/client-partnercentral-selling')),
  '..',
  'dist-types',
  'models',
);

function readEnums(): Map<string, ReadonlySet<string>> {
  const text = readFileSync(join(typesDir, 'enums.d.ts'), 'utf8');
  const enums = new Map<string, ReadonlySet<string>>();
  for (const match of text.matchAll(/export declare const (\w+): \{([^}]*)\};/g)) {
    const values = [...(match[2] ?? '').matchAll(/readonly \w+: "([^"]*)";/g)].map((value) => value[1] ?? '');
    enums.set(match[1] ?? '', new Set(values));
  }
  return enums;
}

function readMemberTypes(): Map<string, Map<string, string>> {
  const shapes = new Map<string, Map<string, string>>();
  for (const file of ['models_0.d.ts', 'errors.d.ts']) {
    const text = readFileSync(join(typesDir, file), 'utf8');
    for (const match of text.matchAll(/export (?:interface|declare class) (\w+)[^{]*\{([\s\S]*?)\n\}/g)) {
      const members = new Map<string, string>();
      for (const member of (match[2] ?? '').matchAll(/^ {4}(\w+)\??: ([^;]+);/gm)) {
        members.set(member[1] ?? '', (member[2] ?? '').replace(/ \| undefined$/, ''));
      }
      shapes.set(match[1] ?? '', members);
    }
  }
  return shapes;
}

const enums = readEnums();
const memberTypes = readMemberTypes();

/** The values of one of the model's enums (`Stage`, `ReviewStatus`, …). */
export function enumValues(name: string): ReadonlySet<string> {
  const values = enums.get(name);
  if (values === undefined) throw new Error(`the Partner Central model has no enum ${name}`);
  return values;
}

/** The enum a member holds (for a list, the enum of its items), if it holds one. */
function enumOf(shape: string, member: string): ReadonlySet<string> | undefined {
  const type = memberTypes.get(shape)?.get(member);
  return type === undefined ? undefined : enums.get(type.replace(/\[\]$/, ''));
}

// ---- the package's runtime schemas ------------------------------------------------------------

const LIST = 0b0100_0000;
const MAP = 0b1000_0000;

function resolve(schema: unknown): { schema: unknown; traits: unknown } {
  let current = typeof schema === 'function' ? (schema as () => unknown)() : schema;
  let traits: unknown = 0;
  // A member with traits is `[schema, traits]`; a shape is `[kind, namespace, name, …]`.
  if (Array.isArray(current) && current.length === 2 && typeof current[1] !== 'string') {
    traits = current[1];
    current = typeof current[0] === 'function' ? (current[0] as () => unknown)() : current[0];
  }
  return { schema: current, traits };
}

function shapeSchema(name: string): readonly unknown[] {
  const schema = (sdk as unknown as Record<string, unknown>)[`${name}$`];
  if (!Array.isArray(schema)) throw new Error(`the Partner Central SDK has no shape ${name}`);
  return schema;
}

/** The members a structure requires, in the model's order. */
export function requiredMembers(shape: string): readonly string[] {
  const schema = shapeSchema(shape);
  const names = schema[4] as readonly string[];
  const required = typeof schema[6] === 'number' ? schema[6] : 0;
  return names.slice(0, required);
}

/** The HTTP status the model gives an error shape (`ThrottlingException` → 429). */
export function errorStatus(shape: string): number {
  const traits = shapeSchema(shape)[3] as Record<string, unknown>;
  const status = traits.httpError;
  if (typeof status !== 'number') throw new Error(`${shape} is not an error shape of the model`);
  return status;
}

/** Every problem of `value` as the shape `shape` (a structure of the model, by name). */
export function shapeProblems(shape: string, value: unknown, form: ValueForm = 'wire'): ModelProblem[] {
  return structureProblems(shapeSchema(shape), value, '', form);
}

function structureProblems(
  schema: readonly unknown[],
  value: unknown,
  path: string,
  form: ValueForm,
): ModelProblem[] {
  const name = schema[2] as string;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path: path || name, message: `expected a ${name} object`, code: 'INVALID_VALUE' }];
  }
  const names = schema[4] as readonly string[];
  const members = schema[5] as readonly unknown[];
  const required = typeof schema[6] === 'number' ? schema[6] : 0;
  const record = value as Record<string, unknown>;
  const problems: ModelProblem[] = [];
  const at = (member: string) => (path === '' ? member : `${path}.${member}`);
  for (const key of Object.keys(record)) {
    if (!names.includes(key) && record[key] !== undefined) {
      problems.push({ path: at(key), message: `${name} has no member ${key}`, code: 'INVALID_VALUE' });
    }
  }
  names.forEach((member, index) => {
    const memberValue = record[member];
    if (memberValue === undefined || memberValue === null) {
      if (index < required) {
        problems.push({
          path: at(member),
          message: `${name}.${member} is required`,
          code: 'REQUIRED_FIELD_MISSING',
        });
      }
      return;
    }
    problems.push(
      ...valueProblems(members[index], memberValue, at(member), form, {
        shape: name,
        member,
      }),
    );
  });
  return problems;
}

function valueProblems(
  memberSchema: unknown,
  value: unknown,
  path: string,
  form: ValueForm,
  owner: { shape: string; member: string },
): ModelProblem[] {
  const { schema } = resolve(memberSchema);
  const limit = limits[`${owner.shape}.${owner.member}`];
  const allowed = enumOf(owner.shape, owner.member);
  if (typeof schema === 'number') {
    if (schema & LIST) return listProblems(schema & ~LIST, value, path, form, limit, allowed);
    if (schema & MAP) return mapProblems(schema & ~MAP, value, path, form);
    return primitiveProblems(schema, value, path, form, limit, allowed);
  }
  if (!Array.isArray(schema)) return [];
  switch (schema[0]) {
    case 0: // a named simple shape (a sensitive string)
      return primitiveProblems(schema[4] as number, value, path, form, limit, allowed);
    case 1:
      return listProblems(schema[4], value, path, form, limit, allowed);
    case 2:
      return mapProblems(schema[5], value, path, form);
    case 3:
    case -3:
      return structureProblems(schema, value, path, form);
    case 4: // a union: one member set
      return typeof value === 'object' && value !== null
        ? []
        : [{ path, message: 'expected an object', code: 'INVALID_VALUE' }];
    default:
      return [];
  }
}

function listProblems(
  itemSchema: unknown,
  value: unknown,
  path: string,
  form: ValueForm,
  limit: Limit | undefined,
  allowed: ReadonlySet<string> | undefined,
): ModelProblem[] {
  if (!Array.isArray(value)) return [{ path, message: 'expected a list', code: 'INVALID_VALUE' }];
  const problems: ModelProblem[] = [];
  if (limit?.min !== undefined && value.length < limit.min) {
    problems.push({
      path,
      message: `at least ${limit.min} item(s), got ${value.length}`,
      code: 'INVALID_VALUE',
    });
  }
  if (limit?.max !== undefined && value.length > limit.max) {
    problems.push({
      path,
      message: `at most ${limit.max} item(s), got ${value.length}`,
      code: 'INVALID_VALUE',
    });
  }
  value.forEach((item, index) => {
    const itemPath = `${path}[${index}]`;
    const resolved = resolve(itemSchema).schema;
    if (typeof resolved === 'number') {
      problems.push(...primitiveProblems(resolved, item, itemPath, form, undefined, allowed));
    } else {
      problems.push(...valueProblems(itemSchema, item, itemPath, form, { shape: '', member: '' }));
    }
  });
  return problems;
}

function mapProblems(valueSchema: unknown, value: unknown, path: string, form: ValueForm): ModelProblem[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path, message: 'expected a map', code: 'INVALID_VALUE' }];
  }
  return Object.entries(value).flatMap(([key, entry]) =>
    valueProblems(valueSchema, entry, `${path}.${key}`, form, { shape: '', member: '' }),
  );
}

function primitiveProblems(
  kind: number,
  value: unknown,
  path: string,
  form: ValueForm,
  limit: Limit | undefined,
  allowed: ReadonlySet<string> | undefined,
): ModelProblem[] {
  if (kind === 0) {
    if (typeof value !== 'string') return [{ path, message: 'expected a string', code: 'INVALID_VALUE' }];
    if (allowed !== undefined && !allowed.has(value)) {
      return [
        {
          path,
          message:
            allowed.size <= 12
              ? `${JSON.stringify(value)} is not one of ${[...allowed].map((v) => JSON.stringify(v)).join(', ')}`
              : `${JSON.stringify(value)} is not one of the model's ${allowed.size} values`,
          code: 'INVALID_ENUM_VALUE',
        },
      ];
    }
    const problems: ModelProblem[] = [];
    // Smithy's length trait counts a string's Unicode code points, not its UTF-16 code units.
    const length = [...value].length;
    if (limit?.min !== undefined && length < limit.min) {
      problems.push({
        path,
        message: `at least ${limit.min} characters, got ${length}`,
        code: 'INVALID_STRING_FORMAT',
      });
    }
    if (limit?.max !== undefined && length > limit.max) {
      problems.push({
        path,
        message: `at most ${limit.max} characters, got ${length}`,
        code: 'INVALID_STRING_FORMAT',
      });
    }
    if (limit?.pattern !== undefined && !limit.pattern.test(value)) {
      problems.push({
        path,
        message: `does not match ${limit.pattern.source}`,
        code: 'INVALID_STRING_FORMAT',
      });
    }
    return problems;
  }
  if (kind === 1) {
    if (typeof value !== 'number') return [{ path, message: 'expected a number', code: 'INVALID_VALUE' }];
    if ((limit?.min !== undefined && value < limit.min) || (limit?.max !== undefined && value > limit.max)) {
      return [{ path, message: `must be between ${limit?.min} and ${limit?.max}`, code: 'INVALID_VALUE' }];
    }
    return [];
  }
  if (kind === 2)
    return typeof value === 'boolean' ? [] : [{ path, message: 'expected a boolean', code: 'INVALID_VALUE' }];
  if (kind >= 4 && kind <= 7) {
    if (form === 'sdk') {
      return value instanceof Date && !Number.isNaN(value.getTime())
        ? []
        : [{ path, message: 'expected a Date', code: 'INVALID_VALUE' }];
    }
    // date-time: an ISO-8601 string on the wire; the default in awsJson1_0 is epoch seconds.
    if (kind === 5) {
      return typeof value === 'string' &&
        /^\d{4}-\d{2}-\d{2}T/.test(value) &&
        !Number.isNaN(Date.parse(value))
        ? []
        : [{ path, message: 'expected an ISO-8601 date-time', code: 'INVALID_STRING_FORMAT' }];
    }
    return typeof value === 'number'
      ? []
      : [{ path, message: 'expected epoch seconds', code: 'INVALID_VALUE' }];
  }
  return [];
}
