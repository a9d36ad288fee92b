/** A CRM property definition as the properties API describes it. */
export interface PropertyDefinition {
  name: string;
  label: string;
  type: 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool' | 'phone_number';
  fieldType: string;
  groupName: string;
  description: string;
  options: { label: string; value: string; description?: string; displayOrder: number; hidden: boolean }[];
  displayOrder: number;
  hasUniqueValue: boolean;
  hidden: boolean;
  calculated: boolean;
  hubspotDefined: boolean;
  /** Values the API may not write (the sandbox computes them). */
  readOnlyValue: boolean;
  createdAt: string;
  updatedAt: string;
}

/** An object type the sandbox knows: a standard one (`0-3`) or a custom one (`2-…`). */
export interface ObjectTypeInfo {
  objectTypeId: string;
  /** Plural API name (`deals`) or, for custom objects, the schema name. */
  name: string;
  singular: string;
  /** Names the API accepts for this type besides the id. */
  aliases: string[];
  defaultProperties: string[];
  createdProperty: string;
  modifiedProperty: string;
  /** Default property group for properties created without one. */
  defaultGroup: string;
  custom: boolean;
  /** Properties that must be present on create. */
  requiredProperties: string[];
}

type PropertySpec = [name: string, type: PropertyDefinition['type'], fieldType: string, options?: string[]];

/** The lifecycle stage contacts and companies share, with HubSpot's default stages. */
const lifecycleStage: PropertySpec = [
  'lifecyclestage',
  'enumeration',
  'radio',
  [
    'subscriber',
    'lead',
    'marketingqualifiedlead',
    'salesqualifiedlead',
    'opportunity',
    'customer',
    'evangelist',
    'other',
  ],
];

const ENGAGEMENT_COMMON: PropertySpec[] = [
  ['hs_timestamp', 'datetime', 'date'],
  ['hubspot_owner_id', 'enumeration', 'select'],
  ['hs_createdate', 'datetime', 'date'],
  ['hs_lastmodifieddate', 'datetime', 'date'],
  ['hs_object_id', 'number', 'number'],
];

interface StandardTypeSpec {
  info: Omit<ObjectTypeInfo, 'custom'>;
  properties: PropertySpec[];
}

const engagement = (
  objectTypeId: string,
  name: string,
  singular: string,
  own: PropertySpec[],
): StandardTypeSpec => ({
  info: {
    objectTypeId,
    name,
    singular,
    aliases: [name, singular],
    defaultProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    createdProperty: 'hs_createdate',
    modifiedProperty: 'hs_lastmodifieddate',
    defaultGroup: 'engagement',
    requiredProperties: ['hs_timestamp'],
  },
  properties: [...ENGAGEMENT_COMMON, ...own],
});

/** The standard CRM object types the sandbox serves, with the properties Dealreg and the demo use. */
export const STANDARD_TYPES: readonly StandardTypeSpec[] = [
  {
    info: {
      objectTypeId: '0-1',
      name: 'contacts',
      singular: 'contact',
      aliases: ['contacts', 'contact'],
      defaultProperties: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
      createdProperty: 'createdate',
      modifiedProperty: 'lastmodifieddate',
      defaultGroup: 'contactinformation',
      requiredProperties: [],
    },
    properties: [
      ['email', 'string', 'text'],
      ['firstname', 'string', 'text'],
      ['lastname', 'string', 'text'],
      ['phone', 'string', 'phonenumber'],
      ['company', 'string', 'text'],
      ['jobtitle', 'string', 'text'],
      ['website', 'string', 'text'],
      ['country', 'string', 'text'],
      ['associatedcompanyid', 'number', 'number'],
      ['hubspot_owner_id', 'enumeration', 'select'],
      lifecycleStage,
      ['createdate', 'datetime', 'date'],
      ['lastmodifieddate', 'datetime', 'date'],
      ['hs_object_id', 'number', 'number'],
    ],
  },
  {
    info: {
      objectTypeId: '0-2',
      name: 'companies',
      singular: 'company',
      aliases: ['companies', 'company'],
      defaultProperties: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
      createdProperty: 'createdate',
      modifiedProperty: 'hs_lastmodifieddate',
      defaultGroup: 'companyinformation',
      requiredProperties: [],
    },
    properties: [
      ['name', 'string', 'text'],
      ['domain', 'string', 'text'],
      ['website', 'string', 'text'],
      ['hs_additional_domains', 'enumeration', 'checkbox'],
      ['type', 'enumeration', 'select', ['PROSPECT', 'PARTNER', 'RESELLER', 'VENDOR', 'OTHER']],
      ['industry', 'string', 'text'],
      ['country', 'string', 'text'],
      ['city', 'string', 'text'],
      ['state', 'string', 'text'],
      ['zip', 'string', 'text'],
      ['phone', 'string', 'phonenumber'],
      ['description', 'string', 'textarea'],
      ['numberofemployees', 'number', 'number'],
      ['annualrevenue', 'number', 'number'],
      ['hubspot_owner_id', 'enumeration', 'select'],
      lifecycleStage,
      ['createdate', 'datetime', 'date'],
      ['hs_lastmodifieddate', 'datetime', 'date'],
      ['hs_object_id', 'number', 'number'],
    ],
  },
  {
    info: {
      objectTypeId: '0-3',
      name: 'deals',
      singular: 'deal',
      aliases: ['deals', 'deal'],
      defaultProperties: [
        'amount',
        'closedate',
        'createdate',
        'dealname',
        'dealstage',
        'hs_lastmodifieddate',
        'hs_object_id',
        'pipeline',
      ],
      createdProperty: 'createdate',
      modifiedProperty: 'hs_lastmodifieddate',
      defaultGroup: 'dealinformation',
      requiredProperties: [],
    },
    properties: [
      ['dealname', 'string', 'text'],
      ['amount', 'number', 'number'],
      // "Set up multiple currencies" (HubSpot Knowledge Base): the deal currency is an enumeration
      // of the currencies the account has enabled; a value outside it is refused (400). The
      // sandbox portal has these enabled.
      ['deal_currency_code', 'enumeration', 'select', ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY']],
      ['dealstage', 'enumeration', 'radio'],
      ['pipeline', 'enumeration', 'select'],
      ['closedate', 'datetime', 'date'],
      ['dealtype', 'enumeration', 'radio', ['newbusiness', 'existingbusiness']],
      ['description', 'string', 'textarea'],
      ['hubspot_owner_id', 'enumeration', 'select'],
      ['hs_analytics_source', 'string', 'text'],
      ['closed_won_reason', 'string', 'textarea'],
      ['closed_lost_reason', 'string', 'textarea'],
      ['hs_is_closed', 'bool', 'booleancheckbox'],
      ['hs_is_closed_won', 'bool', 'booleancheckbox'],
      ['hs_deal_stage_probability', 'number', 'number'],
      ['createdate', 'datetime', 'date'],
      ['hs_lastmodifieddate', 'datetime', 'date'],
      ['hs_object_id', 'number', 'number'],
    ],
  },
  engagement('0-48', 'calls', 'call', [
    ['hs_call_title', 'string', 'text'],
    ['hs_call_body', 'string', 'html'],
    ['hs_call_direction', 'enumeration', 'select', ['INBOUND', 'OUTBOUND']],
    ['hs_call_duration', 'number', 'number'],
    ['hs_call_status', 'string', 'text'],
  ]),
  engagement('0-47', 'meetings', 'meeting', [
    ['hs_meeting_title', 'string', 'text'],
    ['hs_meeting_body', 'string', 'html'],
    ['hs_meeting_start_time', 'datetime', 'date'],
    ['hs_meeting_end_time', 'datetime', 'date'],
    ['hs_meeting_outcome', 'string', 'text'],
  ]),
  engagement('0-49', 'emails', 'email', [
    ['hs_email_subject', 'string', 'text'],
    ['hs_email_text', 'string', 'textarea'],
    ['hs_email_direction', 'enumeration', 'select', ['EMAIL', 'INCOMING_EMAIL', 'FORWARDED_EMAIL']],
    ['hs_email_status', 'string', 'text'],
  ]),
  engagement('0-46', 'notes', 'note', [['hs_note_body', 'string', 'html']]),
  engagement('0-27', 'tasks', 'task', [
    ['hs_task_subject', 'string', 'text'],
    ['hs_task_body', 'string', 'html'],
    [
      'hs_task_status',
      'enumeration',
      'select',
      ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED'],
    ],
    ['hs_task_priority', 'enumeration', 'select', ['LOW', 'MEDIUM', 'HIGH']],
    ['hs_task_type', 'string', 'text'],
  ]),
];

/** Properties whose value the sandbox computes; writing them answers 400 like HubSpot's READ_ONLY_VALUE. */
export const READ_ONLY_PROPERTIES = new Set([
  'hs_object_id',
  'hs_lastmodifieddate',
  'lastmodifieddate',
  'hs_createdate',
  'hs_is_closed',
  'hs_is_closed_won',
  'hs_deal_stage_probability',
]);

/** Builds a property definition with HubSpot's defaults. */
export function propertyDefinition(
  spec: {
    name: string;
    type: PropertyDefinition['type'];
    fieldType: string;
    label?: string | undefined;
    groupName: string;
    description?: string | undefined;
    options?:
      | { label: string; value: string; displayOrder?: number | undefined; hidden?: boolean | undefined }[]
      | undefined;
    hasUniqueValue?: boolean | undefined;
    hidden?: boolean | undefined;
    displayOrder?: number | undefined;
  },
  hubspotDefined: boolean,
  nowIso: string,
): PropertyDefinition {
  return {
    name: spec.name,
    label: spec.label ?? spec.name,
    type: spec.type,
    fieldType: spec.fieldType,
    groupName: spec.groupName,
    description: spec.description ?? '',
    options: (spec.options ?? []).map((option, index) => ({
      label: option.label,
      value: option.value,
      displayOrder: option.displayOrder ?? index,
      hidden: option.hidden ?? false,
    })),
    displayOrder: spec.displayOrder ?? -1,
    hasUniqueValue: spec.hasUniqueValue ?? false,
    hidden: spec.hidden ?? false,
    calculated: READ_ONLY_PROPERTIES.has(spec.name),
    hubspotDefined,
    readOnlyValue: READ_ONLY_PROPERTIES.has(spec.name),
    createdAt: nowIso,
    updatedAt: nowIso,
  };
}

/** The JSON the properties API returns for a definition. */
export function propertyToJson(property: PropertyDefinition): Record<string, unknown> {
  return {
    name: property.name,
    label: property.label,
    type: property.type,
    fieldType: property.fieldType,
    description: property.description,
    groupName: property.groupName,
    options: property.options,
    displayOrder: property.displayOrder,
    calculated: property.calculated,
    externalOptions: false,
    hasUniqueValue: property.hasUniqueValue,
    hidden: property.hidden,
    hubspotDefined: property.hubspotDefined,
    formField: !property.hidden && !property.readOnlyValue,
    archived: false,
    createdAt: property.createdAt,
    updatedAt: property.updatedAt,
    modificationMetadata: {
      archivable: !property.hubspotDefined,
      readOnlyDefinition: property.hubspotDefined,
      readOnlyValue: property.readOnlyValue,
    },
  };
}

/**
 * HubSpot-defined association types between the standard objects, as `[fromTypeId, toTypeId,
 * typeId, label]`. The inverse of each pair is listed too; `label` is `null` for the unlabelled
 * default and `"Primary"` for the primary-company associations.
 */
export const HUBSPOT_DEFINED_ASSOCIATIONS: readonly [string, string, number, string | null, number][] = [
  // [from, to, typeId, label, inverseTypeId]
  ['0-1', '0-2', 279, null, 280],
  ['0-2', '0-1', 280, null, 279],
  ['0-1', '0-2', 1, 'Primary', 2],
  ['0-2', '0-1', 2, 'Primary', 1],
  ['0-3', '0-1', 3, null, 4],
  ['0-1', '0-3', 4, null, 3],
  ['0-3', '0-2', 341, null, 342],
  ['0-2', '0-3', 342, null, 341],
  ['0-3', '0-2', 5, 'Primary', 6],
  ['0-2', '0-3', 6, 'Primary', 5],
  ['0-48', '0-2', 182, null, 181],
  ['0-2', '0-48', 181, null, 182],
  ['0-48', '0-3', 206, null, 205],
  ['0-3', '0-48', 205, null, 206],
  ['0-48', '0-1', 194, null, 193],
  ['0-1', '0-48', 193, null, 194],
  ['0-49', '0-2', 186, null, 185],
  ['0-2', '0-49', 185, null, 186],
  ['0-49', '0-3', 210, null, 209],
  ['0-3', '0-49', 209, null, 210],
  ['0-49', '0-1', 198, null, 197],
  ['0-1', '0-49', 197, null, 198],
  ['0-47', '0-2', 188, null, 187],
  ['0-2', '0-47', 187, null, 188],
  ['0-47', '0-3', 212, null, 211],
  ['0-3', '0-47', 211, null, 212],
  ['0-47', '0-1', 200, null, 199],
  ['0-1', '0-47', 199, null, 200],
  ['0-46', '0-2', 190, null, 189],
  ['0-2', '0-46', 189, null, 190],
  ['0-46', '0-3', 214, null, 213],
  ['0-3', '0-46', 213, null, 214],
  ['0-46', '0-1', 202, null, 201],
  ['0-1', '0-46', 201, null, 202],
  ['0-27', '0-2', 192, null, 191],
  ['0-2', '0-27', 191, null, 192],
  ['0-27', '0-3', 216, null, 215],
  ['0-3', '0-27', 215, null, 216],
  ['0-27', '0-1', 204, null, 203],
  ['0-1', '0-27', 203, null, 204],
];

/** The default deal pipeline every HubSpot portal starts with. */
export const DEFAULT_DEAL_PIPELINE = {
  id: 'default',
  label: 'Sales Pipeline',
  displayOrder: 0,
  stages: [
    { id: 'appointmentscheduled', label: 'Appointment Scheduled', probability: 0.2, isClosed: false },
    { id: 'qualifiedtobuy', label: 'Qualified To Buy', probability: 0.4, isClosed: false },
    { id: 'presentationscheduled', label: 'Presentation Scheduled', probability: 0.6, isClosed: false },
    { id: 'decisionmakerboughtin', label: 'Decision Maker Bought-In', probability: 0.8, isClosed: false },
    { id: 'contractsent', label: 'Contract Sent', probability: 0.9, isClosed: false },
    { id: 'closedwon', label: 'Closed Won', probability: 1, isClosed: true },
    { id: 'closedlost', label: 'Closed Lost', probability: 0, isClosed: true },
  ],
};
