import { neededDealSubscriptions } from '#domain/hubspot-app/app-project.ts';
import { requiredHubSpotScopes } from '#domain/hubspot-scopes.ts';
import { relationshipTypeLabels, relationshipTypes } from '#domain/relationship-type.ts';
import {
  crmNames,
  type ExistingProperty,
  type ObjectSchemaSpec,
  type PortalSchemaAdmin,
  type PropertyOption,
  type PropertySpec,
} from '#ports/hubspot.ts';

/** Standard object type ids, as custom object schemas list their associations. */
const objectTypeIds = { contacts: '0-1', companies: '0-2', deals: '0-3' } as const;

/** The relationship dropdowns' options, labelled as Dealreg's pages and emails name each type. */
const relationshipOptions = relationshipTypes.map((value) => ({
  label: relationshipTypeLabels[value],
  value,
}));
const names = crmNames.registration;

/** The Deal Registration custom object: one record per registration, associated with companies, contacts and deals. */
export const dealRegistrationObjectSpec: ObjectSchemaSpec = {
  name: crmNames.registrationObject,
  labels: { singular: 'Deal Registration', plural: 'Deal Registrations' },
  primaryDisplayProperty: names.name,
  requiredProperties: [names.id, names.name],
  searchableProperties: [names.id, names.name, names.customerDomain, names.partnerDomain],
  associatedObjects: ['COMPANY', 'CONTACT', 'DEAL'],
  properties: [
    { name: names.id, label: 'Registration ID', type: 'string', fieldType: 'text', hasUniqueValue: true },
    { name: names.name, label: 'Name', type: 'string', fieldType: 'text' },
    {
      name: names.status,
      label: 'Status',
      type: 'enumeration',
      fieldType: 'select',
      options: ['submitted', 'approved', 'rejected', 'expired'].map((value) => ({
        label: value[0]?.toUpperCase() + value.slice(1),
        value,
      })),
    },
    {
      name: names.relationship,
      label: 'Partner relationship',
      type: 'enumeration',
      fieldType: 'select',
      options: relationshipOptions,
    },
    { name: names.partnerDomain, label: 'Partner domain', type: 'string', fieldType: 'text' },
    { name: names.customerDomain, label: 'Customer domain', type: 'string', fieldType: 'text' },
    { name: names.customerCompanyName, label: 'Customer company name', type: 'string', fieldType: 'text' },
    { name: names.estimatedAmount, label: 'Estimated amount', type: 'number', fieldType: 'number' },
    { name: names.currency, label: 'Currency', type: 'string', fieldType: 'text' },
    { name: names.expectedCloseDate, label: 'Expected close date', type: 'date', fieldType: 'date' },
    { name: names.campaignId, label: 'Campaign', type: 'string', fieldType: 'text' },
    {
      name: names.cloudMarketplace,
      label: 'Cloud marketplace',
      type: 'enumeration',
      fieldType: 'select',
      options: [
        { label: 'AWS', value: 'aws' },
        { label: 'Azure', value: 'azure' },
        { label: 'Google Cloud', value: 'gcp' },
        { label: 'None', value: 'none' },
      ],
    },
    { name: names.policyVersion, label: 'Policy version', type: 'string', fieldType: 'text' },
    { name: names.expiresOn, label: 'Expires on', type: 'date', fieldType: 'date' },
  ],
};

/** Deal properties Dealreg writes: the claiming registration (unique) and the partner mirror used by search. */
const dealPropertySpecs: readonly PropertySpec[] = [
  {
    name: crmNames.deal.registrationId,
    label: 'Deal registration ID',
    type: 'string',
    fieldType: 'text',
    groupName: 'dealinformation',
    hasUniqueValue: true,
  },
  {
    name: crmNames.deal.partnerCompanyId,
    label: 'Registered partner (company ID)',
    type: 'string',
    fieldType: 'text',
    groupName: 'dealinformation',
  },
  {
    name: crmNames.deal.partnerRelationship,
    label: 'Registered partner relationship',
    type: 'enumeration',
    fieldType: 'select',
    groupName: 'dealinformation',
    options: relationshipOptions,
  },
];

/** Company properties Dealreg writes: the key of a customer company it created (unique). */
const companyPropertySpecs: readonly PropertySpec[] = [
  {
    name: crmNames.company.customerKey,
    label: 'Dealreg customer key',
    type: 'string',
    fieldType: 'text',
    groupName: 'companyinformation',
    hasUniqueValue: true,
  },
];

type SetupItemKind =
  | 'object schema'
  | 'property'
  | 'association'
  | 'association label'
  | 'deal pipeline'
  | 'deal stage'
  | 'CRO view property';

interface SetupItem {
  readonly kind: SetupItemKind;
  readonly name: string;
  /**
   * `missing`: the portal lacks something the policy names that setup does not create (`fix`
   * says what to do). `updated`: a Dealreg property whose options setup brought up to date
   * (`change` says how). `conflict`: the portal holds a property of Dealreg's name that Dealreg
   * cannot use as it is (another type, or values not kept unique); setup leaves it alone and
   * `fix` says what to change.
   */
  readonly status:
    | 'exists'
    | 'created'
    | 'would create'
    | 'updated'
    | 'would update'
    | 'missing'
    | 'conflict';
  readonly fix?: string;
  readonly change?: string;
}

/**
 * The options a Dealreg dropdown the portal already holds should have: each option whose value
 * Dealreg defines gets Dealreg's label, each one it lacks is added after the others, and every
 * other option is kept as it is (never removed: deals and registrations may hold its value, and
 * whoever added it may rely on it). `changes` is empty when the property is up to date.
 */
export function updatedOptions(
  existing: readonly PropertyOption[],
  wanted: readonly { readonly label: string; readonly value: string }[],
): { options: PropertyOption[]; changes: string[] } {
  const changes: string[] = [];
  const wantedLabel = new Map(wanted.map((option) => [option.value, option.label]));
  const options = existing.map((option) => {
    const label = wantedLabel.get(option.value);
    if (label === undefined || label === option.label) return option;
    changes.push(`${option.value}: "${option.label}" → "${label}"`);
    return { ...option, label };
  });
  const present = new Set(existing.map((option) => option.value));
  let order = Math.max(-1, ...existing.map((option, index) => option.displayOrder ?? index));
  for (const option of wanted) {
    if (present.has(option.value)) continue;
    order += 1;
    changes.push(`add ${option.value} "${option.label}"`);
    options.push({ label: option.label, value: option.value, displayOrder: order, hidden: false });
  }
  return { options, changes };
}

/** How HubSpot's property editor names each property type Dealreg creates ("Property field types in HubSpot"). */
const fieldTypeNames: Readonly<Record<string, string>> = {
  string: 'Single-line text',
  number: 'Number',
  date: 'Date picker',
  enumeration: 'Dropdown select',
};

/**
 * Why a property the portal already holds under the name of one of Dealreg's cannot serve as
 * it: another type (Dealreg writes registration ids, amounts and dates as its own spec types,
 * which HubSpot refuses in a property of another type), or values not kept unique where Dealreg
 * looks records up by them (`idProperty` reads need a unique property, "CRM API | Properties":
 * `hasUniqueValue`; HubSpot sets it only when a property is created). Undefined when it can.
 * `where` names the property's place in HubSpot's settings, for the fix.
 */
export function propertyConflict(
  spec: PropertySpec,
  held: ExistingProperty,
  where: string,
): string | undefined {
  const wanted = fieldTypeNames[spec.type] ?? spec.type;
  if (held.type !== spec.type) {
    return `it is a ${held.type} property, and Dealreg writes ${spec.type} values into it: change its field type to ${wanted} in HubSpot (${where}), or delete it there and run setup again to create it`;
  }
  if (spec.hasUniqueValue === true && !held.hasUniqueValue) {
    return `its values are not required to be unique, and Dealreg looks records up by it: HubSpot makes a property unique only when it is created, so delete it in HubSpot (${where}) and run setup again to create it with "Require unique values"`;
  }
  return undefined;
}

/** What the policy relies on in the portal, which is the portal owner's to create. */
export interface PolicyRequirements {
  /** `newDeals` of the policy: the pipeline and stage approved registrations' deals go to. */
  readonly newDeals: { readonly pipeline: string; readonly stage: string };
  /** `definitions.croView.dealProperty`: the deal property the CRO's dashboards group by. */
  readonly croProperty: string;
  /** `definitions.croView.partnerValues`: its values that mean a partner deal. */
  readonly croPartnerValues: readonly string[];
}

/** `deal_source` → `Deal source`. */
function labelOf(propertyName: string): string {
  const words = propertyName.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The CRO view's deal property as `--create-cro-property` creates it: a dropdown holding the
 * policy's partner values, to which RevOps adds the other sources (direct, marketing…) in HubSpot.
 */
export function croPropertySpec(policy: PolicyRequirements): PropertySpec {
  return {
    name: policy.croProperty,
    label: labelOf(policy.croProperty),
    type: 'enumeration',
    fieldType: 'select',
    groupName: 'dealinformation',
    options: policy.croPartnerValues.map((value) => ({ label: value, value })),
  };
}

/** Where a property is in HubSpot's settings: Settings → Properties, its object's properties. */
function settingsPlace(objectType: string, propertyName: string): string {
  const object =
    objectType === 'deals'
      ? 'Deal'
      : objectType === 'companies'
        ? 'Company'
        : dealRegistrationObjectSpec.labels.singular;
  return `Settings → Properties → ${object} properties → ${propertyName}`;
}

/** Labels as people type them: the same letters whatever their case and surrounding spaces. */
function sameLabel(label: string, text: string): boolean {
  return label.trim().toLowerCase() === text.trim().toLowerCase();
}

/** Pipelines or stages as the fixes list them: `id ("Label")`. */
function listed(entries: readonly { readonly id: string; readonly label: string }[]): string {
  return entries
    .map((entry) => (entry.id === entry.label ? entry.id : `${entry.id} ("${entry.label}")`))
    .join(', ');
}

/**
 * Why the CRO view's deal property cannot tell partner deals: a dropdown none of whose options
 * has one of the policy's partner values as its internal value. Deals store an option's internal
 * value, never its label ("Property field types in HubSpot"), and the report compares that value
 * with `definitions.croView.partnerValues`, so such a value never matches and the CRO view counts
 * no deal. Undefined when every partner value can match.
 */
export function croPropertyProblem(
  held: ExistingProperty,
  partnerValues: readonly string[],
): string | undefined {
  if (held.type !== 'enumeration') return undefined;
  const values = new Set(held.options.map((option) => option.value));
  const lacking = partnerValues.filter((value) => !values.has(value));
  if (lacking.length === 0) return undefined;
  const named = lacking.map((value) => {
    const byLabel = held.options.find((option) => sameLabel(option.label, value));
    return byLabel === undefined
      ? `"${value}"`
      : `"${value}" (the label of the option whose internal value is "${byLabel.value}")`;
  });
  const options = held.options.map((option) => `"${option.value}"`).join(', ') || 'none';
  return `no option of this dropdown has the internal value ${named.join(', ')}, so the CRO view can never count a deal as a partner deal by ${lacking.length === 1 ? 'it' : 'them'}: set the policy's definitions.croView.partnerValues to internal values of its options (${options}), or add the option${lacking.length === 1 ? '' : 's'} in HubSpot (${settingsPlace('deals', held.name)})`;
}

interface SetupResult {
  readonly dryRun: boolean;
  readonly items: readonly SetupItem[];
  /** The Deal Registration object type id (`2-…`), when it exists. */
  readonly objectTypeId: string | undefined;
}

/**
 * Brings a portal to what Dealreg needs, creating only what is missing and updating the options
 * of its own dropdowns that an earlier version created (so it is safe to run again, and
 * `dryRun` lists what a real run would create and update):
 * 1. the Deal Registration object schema with its properties and its associations to
 *    companies, contacts and deals;
 * 2. the deal and company properties Dealreg writes;
 * 3. the partner association labels (company → deal) for each relationship;
 * 4. with a policy, the checks of what it names in the portal: the new deals' pipeline and stage
 *    (never created) and the CRO view's deal property (created only with `createCroProperty`).
 * Everything missing is listed as `missing` with its fix, none stopping the others' checks.
 */
export async function setupHubSpotPortal(
  admin: PortalSchemaAdmin,
  options: {
    readonly dryRun: boolean;
    readonly policy?: PolicyRequirements;
    readonly createCroProperty?: boolean;
  },
): Promise<SetupResult> {
  const items: SetupItem[] = [];
  const record = (kind: SetupItemKind, name: string, exists: boolean) =>
    items.push({ kind, name, status: exists ? 'exists' : options.dryRun ? 'would create' : 'created' });
  /**
   * A property Dealreg defines that the portal holds: its dropdown options are brought to
   * Dealreg's (labels of Dealreg's values, values it lacks), keeping every other option. Only
   * the properties of Dealreg's own specs come here, never one the portal owner made.
   */
  const bringUpToDate = async (
    objectType: string,
    name: string,
    spec: PropertySpec,
    held: readonly ExistingProperty[],
  ): Promise<void> => {
    const current = held.find((candidate) => candidate.name === spec.name);
    const conflict =
      current === undefined
        ? undefined
        : propertyConflict(spec, current, settingsPlace(objectType, spec.name));
    if (conflict !== undefined) {
      items.push({ kind: 'property', name, status: 'conflict', fix: conflict });
      return;
    }
    if (spec.options === undefined || current === undefined || current.type !== 'enumeration') {
      record('property', name, true);
      return;
    }
    const { options: wanted, changes } = updatedOptions(current.options, spec.options);
    if (changes.length === 0) {
      record('property', name, true);
      return;
    }
    items.push({
      kind: 'property',
      name,
      status: options.dryRun ? 'would update' : 'updated',
      change: `options ${changes.join('; ')}`,
    });
    if (!options.dryRun) await admin.updatePropertyOptions(objectType, spec.name, wanted);
  };

  // 1. the custom object
  const schemas = await admin.listSchemas();
  let schema = schemas.find((candidate) => candidate.name === dealRegistrationObjectSpec.name);
  record('object schema', dealRegistrationObjectSpec.name, schema !== undefined);
  if (schema === undefined) {
    if (!options.dryRun) schema = await admin.createSchema(dealRegistrationObjectSpec);
    for (const property of dealRegistrationObjectSpec.properties) {
      items.push({
        kind: 'property',
        name: `${dealRegistrationObjectSpec.name}.${property.name}`,
        status: options.dryRun ? 'would create' : 'created',
      });
    }
    for (const target of ['companies', 'contacts', 'deals'] as const) {
      items.push({
        kind: 'association',
        name: `${dealRegistrationObjectSpec.name} ↔ ${target}`,
        status: options.dryRun ? 'would create' : 'created',
      });
    }
  } else {
    const existing = new Set(schema.propertyNames);
    const held = await admin.listProperties(schema.objectTypeId);
    for (const property of dealRegistrationObjectSpec.properties) {
      const name = `${dealRegistrationObjectSpec.name}.${property.name}`;
      if (existing.has(property.name)) {
        await bringUpToDate(schema.objectTypeId, name, property, held);
        continue;
      }
      record('property', name, false);
      if (!options.dryRun) await admin.createProperty(schema.objectTypeId, property);
    }
    for (const target of ['companies', 'contacts', 'deals'] as const) {
      const exists = schema.associatedObjectTypeIds.includes(objectTypeIds[target]);
      record('association', `${dealRegistrationObjectSpec.name} ↔ ${target}`, exists);
      if (!exists && !options.dryRun) {
        await admin.createSchemaAssociation(
          schema.objectTypeId,
          objectTypeIds[target],
          `${dealRegistrationObjectSpec.name}_to_${target}`,
        );
      }
    }
  }

  // 2. deal and company properties
  const heldDealProperties = await admin.listProperties('deals');
  const heldCompanyProperties = await admin.listProperties('companies');
  for (const [objectType, specs, held] of [
    ['deals', dealPropertySpecs, heldDealProperties],
    ['companies', companyPropertySpecs, heldCompanyProperties],
  ] as const) {
    for (const property of specs) {
      const name = `${objectType}.${property.name}`;
      if (held.some((candidate) => candidate.name === property.name)) {
        await bringUpToDate(objectType, name, property, held);
        continue;
      }
      record('property', name, false);
      if (!options.dryRun) await admin.createProperty(objectType, property);
    }
  }

  // 3. partner association labels
  const labels = await admin.listAssociationLabels('companies', 'deals');
  for (const relationship of relationshipTypes) {
    const [label, name] = crmNames.partnerLabels[relationship];
    const exists = labels.some((existing) => existing.label === label);
    const itemName = `companies → deals: ${label}`;
    if (exists || options.dryRun) {
      record('association label', itemName, exists);
      continue;
    }
    const typeId = await admin.createAssociationLabel('companies', 'deals', label, name);
    if (typeId !== undefined) {
      record('association label', itemName, false);
      continue;
    }
    // HubSpot's labels API lists labels without their internal names, so only the create tells.
    items.push({
      kind: 'association label',
      name: itemName,
      status: 'conflict',
      fix: `the portal has a company → deal label of internal name ${name} under another label, and Dealreg finds its labels by theirs: rename that label back to "${label}" in HubSpot (Settings → Objects → Companies → Associations), then run setup again`,
    });
  }

  // 4. what the policy names: checked, never created (they are the sales team's to define)
  if (options.policy !== undefined) {
    const { pipeline, stage } = options.policy.newDeals;
    const pipelines = await admin.listPipelines('deals');
    const found = pipelines.find((candidate) => candidate.id === pipeline);
    // The policy names pipelines and stages by internal id, which HubSpot's settings show less
    // readily than labels: a label is answered with the id it belongs to.
    const byLabel = pipelines.find((candidate) => sameLabel(candidate.label, pipeline));
    items.push(
      found === undefined
        ? {
            kind: 'deal pipeline',
            name: pipeline,
            status: 'missing',
            fix:
              byLabel === undefined
                ? `set the policy's newDeals.pipeline to one of the portal's deal pipeline ids (${listed(pipelines) || 'none'}), or create the pipeline in HubSpot (Settings → Objects → Deals → Pipelines)`
                : `"${pipeline}" is the label of pipeline ${byLabel.id}: set the policy's newDeals.pipeline to its id, ${byLabel.id} (the policy names pipelines by id)`,
          }
        : { kind: 'deal pipeline', name: pipeline, status: 'exists' },
    );
    if (found !== undefined) {
      const stages = found.stages.filter((candidate) => !candidate.isClosed);
      const exists = stages.some((candidate) => candidate.id === stage);
      const closed = found.stages.find((candidate) => candidate.isClosed && candidate.id === stage);
      const stageByLabel = found.stages.find((candidate) => sameLabel(candidate.label, stage));
      const openIds = `an open stage id of pipeline ${pipeline} (${listed(stages) || 'none'})`;
      items.push(
        exists
          ? { kind: 'deal stage', name: `${pipeline} / ${stage}`, status: 'exists' }
          : {
              kind: 'deal stage',
              name: `${pipeline} / ${stage}`,
              status: 'missing',
              fix:
                closed !== undefined
                  ? `${stage} ("${closed.label}") is a closed stage, and an approved registration's deal is an open one: set the policy's newDeals.stage to ${openIds}`
                  : stageByLabel !== undefined && !stageByLabel.isClosed
                    ? `"${stage}" is the label of stage ${stageByLabel.id}: set the policy's newDeals.stage to its id, ${stageByLabel.id} (the policy names stages by id)`
                    : `set the policy's newDeals.stage to ${openIds}`,
            },
      );
    }
    const { croProperty, croPartnerValues } = options.policy;
    const croName = `deals.${croProperty}`;
    const heldCro = heldDealProperties.find((property) => property.name === croProperty);
    const croProblem = heldCro === undefined ? undefined : croPropertyProblem(heldCro, croPartnerValues);
    if (heldCro !== undefined) {
      items.push(
        croProblem === undefined
          ? { kind: 'CRO view property', name: croName, status: 'exists' }
          : { kind: 'CRO view property', name: croName, status: 'conflict', fix: croProblem },
      );
    } else if (options.createCroProperty === true) {
      record('CRO view property', croName, false);
      if (!options.dryRun) await admin.createProperty('deals', croPropertySpec(options.policy));
    } else {
      items.push({
        kind: 'CRO view property',
        name: croName,
        status: 'missing',
        fix: `create the deal property ${croProperty} the CRO's dashboards group by (run setup again with --create-cro-property to create it as a dropdown of ${croPartnerValues.map((value) => `"${value}"`).join(', ')}), or name the existing one in the policy's definitions.croView.dealProperty; without it the report's CRO view is always 0`,
      });
    }
  }

  return { dryRun: options.dryRun, items, objectTypeId: schema?.objectTypeId };
}

/**
 * What to configure in HubSpot besides what setup creates, printed by `dealreg hubspot setup`:
 * the workflow webhook (no public API creates workflow actions) and the HubSpot app, whose
 * webhook subscriptions and scopes are in the project under `hubspot/`.
 */
export function manualSettings(apiUrl: string | undefined, stage?: string): string[] {
  const base = (apiUrl ?? '<your Dealreg API URL>').replace(/\/+$/, '');
  return [
    'Workflow (Automations → Workflows, contact-based; needs Data Hub Professional or Enterprise):',
    '  enrolment: the contact submitted the deal-registration form (re-enrolment on)',
    '  action: "Send a webhook", method POST',
    `  URL: ${base}/hubspot/form-submissions`,
    "  authentication: include request signature in header, with your HubSpot app's id",
    '  body: all the contact properties, or a few: it tells Dealreg to read the form now',
    '  (without the action, the backfill takes every submission in within about 15 minutes)',
    'HubSpot app (the project in hubspot/; its webhook subscriptions and scopes are not set by hand):',
    stage === undefined
      ? '  build:   npx dealreg hubspot project --stage <stage>  (or --api-url <url>)'
      : `  build:   npx dealreg hubspot project --stage ${stage}`,
    '  upload:  cd dist/hubspot-project && npx -p @hubspot/cli hs project upload; then install the app in the portal',
    `  webhook target: ${base}/hubspot/crm-events`,
    `  subscriptions: ${neededDealSubscriptions()
      .map((subscription) =>
        [subscription.subscriptionType, subscription.objectType, subscription.propertyName]
          .filter((part) => part !== undefined)
          .join(' '),
      )
      .join('; ')}`,
    'Token scopes (the app static token, or a Service Key for REST calls):',
    ...requiredHubSpotScopes.map((scope) => `  ${scope}`),
  ];
}
