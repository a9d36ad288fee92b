import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { App, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { DealregFunction } from '#lib/constructs/dealreg-function.ts';
import type { SynthesizedApp } from './synthesize.ts';

/**
 * The Lambda functions of a bundled synth (`synthesizeDealregApp({ bundle: true })`) as Lambda
 * would start them: each one's bundle in the cloud assembly, the environment of its template with
 * every CloudFormation reference resolved to a plausible deployed value, and a way to import the
 * bundle in a fresh Node.js process with that environment alone.
 */

/** The account and region the references resolve in. */
const account = '123456789012';
const region = 'eu-west-1';

export interface SynthesizedFunction {
  /** The construct path, such as `Dealreg-test-Stateless/PreQbrCheck/DueCheck`. */
  readonly name: string;
  /** The bundle (`index.mjs`) in the cloud assembly. */
  readonly bundle: string;
  /** The bundle's directory, deployed as the function's code. */
  readonly codeDirectory: string;
  /** The directories of the function's layers in the cloud assembly. */
  readonly layerDirectories: readonly string[];
  /** The exported name of the handler (`index.handler` → `handler`). */
  readonly handlerExport: string;
  /** The template's environment, references resolved. */
  readonly environment: Readonly<Record<string, string>>;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

interface TemplateJson {
  readonly Resources?: Resources;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
}

/** Every function of the app's stateless stack, in construct order. */
export function synthesizedFunctions(app: SynthesizedApp): SynthesizedFunction[] {
  return functionsOfStack(app.stateless, app.statelessTemplate, app.statefulTemplate);
}

/**
 * Every {@link DealregFunction} of a bundled stack, in construct order; `exporter` is the
 * template whose exports the stack imports.
 */
export function functionsOfStack(
  stack: Stack,
  template: Template,
  exporter?: Template,
): SynthesizedFunction[] {
  const own = template.toJSON() as TemplateJson;
  const resolve = referenceResolver(own, (exporter?.toJSON() ?? {}) as TemplateJson);
  const resources = own.Resources ?? {};
  const { outdir } = stack.node.root as App;

  return stack.node
    .findAll()
    .filter((construct): construct is DealregFunction => construct instanceof DealregFunction)
    .map((fn) => {
      const id = stack.getLogicalId(fn.node.defaultChild as never);
      const properties = resources[id]?.Properties ?? {};
      const codeDirectory = assetDirectory(outdir, properties.Code);
      const layers = (properties.Layers ?? []) as unknown[];
      const handler = String(properties.Handler ?? 'index.handler');
      const variables = ((properties.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables ?? {}) as Record<string, unknown>;
      return {
        name: fn.node.path,
        bundle: join(codeDirectory, 'index.mjs'),
        codeDirectory,
        layerDirectories: layers.map((layer) => {
          const layerId = (layer as { Ref?: string }).Ref;
          const content = layerId === undefined ? undefined : resources[layerId]?.Properties?.Content;
          if (content === undefined)
            throw new Error(`${fn.node.path}: layer ${JSON.stringify(layer)} not found`);
          return assetDirectory(outdir, content);
        }),
        handlerExport: handler.slice(handler.lastIndexOf('.') + 1),
        environment: Object.fromEntries(
          Object.entries(variables).map(([name, value]) => [name, resolve(value, `${fn.node.path} ${name}`)]),
        ),
      };
    });
}

/** The cloud assembly directory of an asset the template names by its S3 key (`<hash>.zip`). */
function assetDirectory(outdir: string, code: unknown): string {
  const key = (code as { S3Key?: unknown } | undefined)?.S3Key;
  if (typeof key !== 'string') throw new Error(`not a file asset: ${JSON.stringify(code)}`);
  return join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
}

/** Bytes of every file under a directory: what Lambda unzips. */
export function directoryBytes(directory: string): number {
  let bytes = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    bytes += entry.isDirectory() ? directoryBytes(path) : statSync(path).size;
  }
  return bytes;
}

/**
 * Resolves the intrinsics these stacks put in an environment — `Ref`, `Fn::GetAtt … Arn`,
 * `Fn::ImportValue` of the exporting stack's outputs, `Fn::Join`, `Fn::Sub` — to what CloudFormation
 * would give (names, ARNs, ids shaped as AWS shapes them). Anything else fails naming the
 * variable, so a new kind of reference is added here rather than guessed.
 */
function referenceResolver(own: TemplateJson, exporter: TemplateJson) {
  const pseudo: Record<string, string> = {
    'AWS::AccountId': account,
    'AWS::Region': region,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const exports = new Map<string, unknown>();
  for (const output of Object.values(exporter.Outputs ?? {})) {
    if (output.Export !== undefined) exports.set(output.Export.Name, output.Value);
  }

  function resolve(value: unknown, where: string, resources: Resources): string {
    if (typeof value === 'string') return value;
    const intrinsic = value as Record<string, unknown>;
    const [kind] = Object.keys(intrinsic);
    const argument = kind === undefined ? undefined : intrinsic[kind];
    switch (kind) {
      case 'Ref': {
        const name = argument as string;
        return pseudo[name] ?? refOf(name, resources[name], where, resources);
      }
      case 'Fn::GetAtt': {
        const [id, attribute] = argument as [string, string];
        if (attribute === 'Arn') return arnOf(id, resources[id], where, resources);
        break;
      }
      case 'Fn::ImportValue': {
        const exported = exports.get(argument as string);
        if (exported !== undefined) return resolve(exported, where, exporter.Resources ?? {});
        break;
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return parts.map((part) => resolve(part, where, resources)).join(separator);
      }
      case 'Fn::Sub':
        if (typeof argument === 'string') {
          return argument.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
            resolve({ Ref: name }, where, resources),
          );
        }
        break;
    }
    throw new Error(`${where}: cannot resolve ${JSON.stringify(value)}`);
  }

  function nameOf(id: string, resource: Resources[string], where: string, resources: Resources): string {
    const properties = resource.Properties ?? {};
    const given =
      properties.TableName ?? properties.BucketName ?? properties.Name ?? properties.StateMachineName;
    return given === undefined ? `dealreg-${id}-1A2B3C4D5E6F` : resolve(given, where, resources);
  }

  function refOf(id: string, resource: Resources[string] | undefined, where: string, resources: Resources) {
    switch (resource?.Type) {
      case 'AWS::DynamoDB::GlobalTable':
      case 'AWS::DynamoDB::Table':
      case 'AWS::S3::Bucket':
      // A function's Ref is its name (the intake names the backfill function it invokes).
      case 'AWS::Lambda::Function':
        return nameOf(id, resource, where, resources);
      case 'AWS::SecretsManager::Secret':
      case 'AWS::StepFunctions::StateMachine':
        return arnOf(id, resource, where, resources);
      case 'AWS::ApiGateway::RestApi':
        return 'a1b2c3d4e5';
      default:
        throw new Error(`${where}: cannot resolve a Ref to ${id} (${resource?.Type ?? 'no such resource'})`);
    }
  }

  function arnOf(id: string, resource: Resources[string] | undefined, where: string, resources: Resources) {
    if (resource === undefined) throw new Error(`${where}: no resource ${id}`);
    const name = nameOf(id, resource, where, resources);
    switch (resource.Type) {
      case 'AWS::DynamoDB::GlobalTable':
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${region}:${account}:table/${name}`;
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${name}`;
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${region}:${account}:secret:${name}-AbCdEf`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${region}:${account}:stateMachine:${name}`;
      case 'AWS::KMS::Key':
        return `arn:aws:kms:${region}:${account}:key/1a2b3c4d-5e6f-7a8b-9c0d-${id.slice(-12).toLowerCase().padStart(12, '0')}`;
      default:
        throw new Error(`${where}: cannot resolve the ARN of ${id} (${resource.Type})`);
    }
  }

  return (value: unknown, where: string) => resolve(value, where, own.Resources ?? {});
}

/** A request a bundle made to AWS while it was imported. */
export interface AwsRequest {
  /** `X-Amz-Target`, such as `secretsmanager.GetSecretValue`. */
  readonly target: string;
  readonly body: string;
}

/**
 * A stand-in for the AWS endpoints a bundle reaches at cold start: it answers Secrets Manager's
 * `GetSecretValue` with a placeholder text for any secret, records every request, and refuses any
 * other call (a function whose start needs more from AWS fails its import, visibly).
 */
export async function startAwsStandIn(): Promise<{
  readonly endpoint: string;
  readonly requests: AwsRequest[];
  close(): Promise<void>;
}> {
  const requests: AwsRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? `${request.method} ${request.url}`);
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ target, body });
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target === 'secretsmanager.GetSecretValue') {
        const { SecretId } = JSON.parse(body) as { SecretId: string };
        response.end(
          JSON.stringify({
            ARN: SecretId,
            Name: SecretId,
            VersionId: '00000000-0000-4000-8000-000000000000',
            SecretString: `placeholder secret of ${SecretId}`,
            CreatedDate: 1_700_000_000,
          }),
        );
        return;
      }
      response.statusCode = 400;
      response.end(
        JSON.stringify({ __type: 'UnknownOperationException', message: `${target} is not served here` }),
      );
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/**
 * The variables the Lambda runtime sets beside the function's own (credentials are placeholders;
 * every AWS endpoint is the stand-in, so nothing leaves the machine).
 */
export function lambdaRuntimeEnvironment(
  fn: SynthesizedFunction,
  awsEndpoint: string,
): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'placeholder',
    AWS_ENDPOINT_URL: awsEndpoint,
    AWS_LAMBDA_FUNCTION_NAME: fn.name.split('/').slice(1).join('-'),
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    LAMBDA_TASK_ROOT: '/var/task',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    ...fn.environment,
  };
}

/** What importing a bundle in a fresh process gave. */
export type ImportOutcome =
  | {
      readonly imported: true;
      /** `typeof` the handler export. */
      readonly handlerType: string;
      /** The import alone, measured inside the process. */
      readonly importMs: number;
      /** CPU time of the process up to the handler's import (Node.js start included): steadier than wall time on a busy machine. */
      readonly cpuMs: number;
      /** The process, from spawn to exit. */
      readonly processMs: number;
    }
  | {
      readonly imported: false;
      /** `ConfigurationError: the function is misconfigured — DEALREG_POLICY: is not set`, or how the process ended. */
      readonly error: string;
      readonly processMs: number;
    };

/** Imports the module named by argv[1] and prints one JSON line: the handler's type or the error. */
const importer = `
const started = performance.now();
try {
  const module = await import(process.argv[1]);
  const importMs = performance.now() - started;
  const { user, system } = process.cpuUsage();
  const cpuMs = (user + system) / 1000;
  console.log(JSON.stringify({ imported: true, handlerType: typeof module[process.argv[2]], importMs, cpuMs }));
} catch (error) {
  const cause = error?.cause === undefined ? '' : \` (cause: \${error.cause?.name ?? ''} \${error.cause?.code ?? error.cause?.message ?? error.cause})\`;
  console.log(JSON.stringify({ imported: false, error: \`\${error?.name}: \${error?.message}\${cause}\` }));
}
process.exit(0);
`;

/**
 * Imports a bundle in a fresh Node.js process (this one's executable) with exactly the given
 * environment, as Lambda's runtime does at a cold start.
 */
export function importBundle(
  bundle: string,
  handlerExport: string,
  environment: Readonly<Record<string, string>>,
  timeoutMs = 30_000,
): Promise<ImportOutcome> {
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', importer, bundle, handlerExport], {
      env: environment,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('close', (code, signal) => {
      const processMs = performance.now() - started;
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        done({ ...(JSON.parse(last) as Omit<ImportOutcome, 'processMs'>), processMs } as ImportOutcome);
      } catch {
        const how = signal === null ? `exited with ${code}` : `was stopped by ${signal}`;
        done({ imported: false, error: `the process ${how}: ${stderr.trim().slice(-600)}`, processMs });
      }
    });
  });
}
