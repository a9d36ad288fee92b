import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Checks an answer of the HubSpot sandbox against the model HubSpot publishes for it: the
 * generated models inside `@hubspot/api-client` (their attribute type maps give each field's type,
 * their declarations which fields are required). A field the model does not have, a required one
 * missing, or a value of another type is a problem, named by its path.
 */
const require = createRequire(import.meta.url);
const codegen = join(require.resolve('@hubspot/api-client/package.json'), '..', 'lib', 'codegen');

interface Attribute {
  readonly baseName: string;
  readonly type: string;
}

interface Model {
  readonly attributes: readonly Attribute[];
  readonly required: ReadonlySet<string>;
}

function loadModel(directory: string, name: string): Model | undefined {
  const file = join(codegen, directory, 'models', name);
  let declarations: string;
  try {
    declarations = readFileSync(`${file}.d.ts`, 'utf8');
  } catch {
    return undefined;
  }
  const exported = require(`${file}.js`) as Record<string, { getAttributeTypeMap?: () => Attribute[] }>;
  const attributes = exported[name]?.getAttributeTypeMap?.();
  if (attributes === undefined) return undefined; // an enum
  const required = new Set(
    [...declarations.matchAll(/^ {4}'([^']+)': /gm)].map((match) => match[1] as string),
  );
  return { attributes, required };
}

function typeProblems(value: unknown, type: string, directory: string, path: string): string[] {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return [`${path}: expected an array (${type}), got ${typeof value}`];
    return value.flatMap((item, index) =>
      typeProblems(item, array[1] as string, directory, `${path}[${index}]`),
    );
  }
  switch (type) {
    case 'string':
      // The generated models type 64-bit ids as strings; HubSpot sends them as numbers too.
      return typeof value === 'string' || Number.isInteger(value)
        ? []
        : [`${path}: expected a string, got ${typeof value}`];
    case 'number':
      return typeof value === 'number' ? [] : [`${path}: expected a number, got ${typeof value}`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected a boolean, got ${typeof value}`];
    case 'Date':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value))
        ? []
        : [`${path}: expected an ISO-8601 date-time, got ${JSON.stringify(value)}`];
    case 'any':
      return [];
  }
  if (type.startsWith('{')) {
    return typeof value === 'object' && value !== null
      ? []
      : [`${path}: expected an object, got ${typeof value}`];
  }
  const model = loadModel(directory, type);
  // An enum (or a model outside this API's folder): the value is a string of its options.
  if (model === undefined) return typeof value === 'string' ? [] : [`${path}: expected a ${type} string`];
  return modelProblems(value, model, directory, path);
}

function modelProblems(value: unknown, model: Model, directory: string, path: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${path}: expected an object, got ${Array.isArray(value) ? 'an array' : typeof value}`];
  }
  const record = value as Record<string, unknown>;
  const known = new Set(model.attributes.map((attribute) => attribute.baseName));
  const problems = Object.keys(record)
    .filter((key) => !known.has(key))
    .map((key) => `${path}.${key}: not in HubSpot's model`);
  for (const attribute of model.attributes) {
    const field = record[attribute.baseName];
    if (field === undefined || field === null) {
      if (model.required.has(attribute.baseName))
        problems.push(`${path}.${attribute.baseName}: required, missing`);
      continue;
    }
    problems.push(...typeProblems(field, attribute.type, directory, `${path}.${attribute.baseName}`));
  }
  return problems;
}

/**
 * The ways `body` departs from the model `name` of the generated API in `directory` (below
 * `lib/codegen`, e.g. `crm/properties`); none when it matches.
 */
export function contractProblems(body: unknown, directory: string, name: string): string[] {
  const model = loadModel(directory, name);
  if (model === undefined) throw new Error(`no model ${name} in ${directory}`);
  return modelProblems(body, model, directory, '$');
}
