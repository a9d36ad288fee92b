import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import {
  ALLOWED_TOP_LEVEL_FIELDS,
  APP_KEY,
  Components,
  PLATFORM_VERSIONS,
} from '@hubspot/project-parsing-lib/constants';
import {
  getInvalidJsonError,
  getMissingAccountIdError,
  getMissingConfigError,
  getMissingRequiredFieldError,
  getMissingTypeError,
  getUnsupportedTypeError,
} from '@hubspot/project-parsing-lib/lang';
import {
  getProjectMetadata,
  meetsMinimumPlatformVersion,
  ProjectConfigValidationError,
  parseProjectConfig,
} from '@hubspot/project-parsing-lib/projects';
import { translate } from '@hubspot/project-parsing-lib/translate';
import { validateUid } from '@hubspot/project-parsing-lib/uid';
import {
  componentConfigSchemas,
  dealregApiPlaceholder,
  deployedAppUrls,
  webhooksConfigSchema,
  withDeployedApi,
} from '#domain/hubspot-app/app-project.ts';
import { UsageError } from './usage-error.ts';

/** The repository's HubSpot project: the app on HubSpot's developer platform. */
export const repositoryProjectDir = resolve(import.meta.dirname, '..', '..', 'hubspot');

/** What HubSpot's project parser reads from a project, and what is wrong with it. */
export interface ProjectValidation {
  /** One sentence per problem, prefixed by the file it is in (relative to the project). */
  readonly problems: readonly string[];
  /** The components found, by uid: type and the `*-hsmeta.json` file (relative to srcDir). */
  readonly components: Readonly<Record<string, { readonly type: string; readonly file: string }>>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Validates a HubSpot project with `@hubspot/project-parsing-lib`, the parser `hs project upload`
 * runs: `hsproject.json`, the platform version, the `*-hsmeta.json` files it finds and skips,
 * duplicate uids, then each component as the library's `validateIntermediateRepresentation`
 * checks it (top-level fields, uid, type, directory, one app/webhooks component, children of an
 * app, `permissions` only from 2026.09) with the library's own messages where it exports them.
 * The library fetches the component JSON schemas from the HubSpot account at upload time, so the
 * configs of the components Dealreg writes (`app`, `webhooks`) are checked here against the
 * fields HubSpot documents (`componentConfigSchemas`); other components (a deal card) get the
 * structural checks only.
 */
export async function validateHubSpotProject(projectDir: string): Promise<ProjectValidation> {
  let config: { srcDir: string; platformVersion: string };
  try {
    config = parseProjectConfig(projectDir);
  } catch (error) {
    if (error instanceof ProjectConfigValidationError) return { problems: [error.message], components: {} };
    throw error;
  }
  const srcDir = resolve(projectDir, config.srcDir);
  const { platformVersion } = config;
  const atProject = (file: string) => relative(projectDir, join(srcDir, file)) || 'hsproject.json';

  // The checks `translate` makes before it needs the account's schemas: platform version, some
  // *-hsmeta.json file, unique uids. Reaching the schema fetch means they all passed.
  try {
    await translate({ projectSourceDir: srcDir, platformVersion });
  } catch (error) {
    if (messageOf(error) !== getMissingAccountIdError()) {
      return { problems: [`hsproject.json: ${messageOf(error)}`], components: {} };
    }
  }
  const { skippedHsMetaFiles } = await translate(
    { projectSourceDir: srcDir, platformVersion },
    { skipValidation: true },
  );
  const problems: string[] = skippedHsMetaFiles.map(
    (file) =>
      `${relative(projectDir, resolve(srcDir, file))}: not in a component directory HubSpot reads (src/app/, src/app/cards/, src/app/webhooks/…), so it is not uploaded`,
  );
  const components: Record<string, { type: string; file: string }> = {};
  const metadata = await getProjectMetadata(srcDir);
  const types = new Map<string, number>();
  const files = metadata.hsMetaFiles.map((file) => relative(srcDir, file));
  const parsed = await Promise.all(
    files.map(async (file) => ({ file, text: await readFile(join(srcDir, file), 'utf8') })),
  );
  const hasApp = parsed.some(({ text }) => {
    try {
      return (JSON.parse(text) as { type?: unknown }).type === APP_KEY;
    } catch {
      return false;
    }
  });
  for (const { file, text } of parsed) {
    const fileProblems = componentProblems(file, text, { platformVersion, hasApp, srcDir });
    problems.push(...fileProblems.problems.map((problem) => `${atProject(file)}: ${problem}`));
    if (fileProblems.component !== undefined) {
      components[fileProblems.component.uid] = { type: fileProblems.component.type, file };
      types.set(fileProblems.component.type, (types.get(fileProblems.component.type) ?? 0) + 1);
    }
  }
  for (const [type, count] of types) {
    if (Components[type]?.singularComponent === true && count > 1) {
      problems.push(`${relative(projectDir, srcDir)}: Only one ${type} component is allowed, found ${count}`);
    }
  }
  return { problems, components };
}

interface ComponentCheck {
  readonly problems: string[];
  readonly component?: { readonly uid: string; readonly type: string };
}

/** The checks HubSpot's parser makes on one `*-hsmeta.json` file, and its documented config. */
function componentProblems(
  file: string,
  text: string,
  project: { readonly platformVersion: string; readonly hasApp: boolean; readonly srcDir: string },
): ComponentCheck {
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch {
    return { problems: [getInvalidJsonError()] };
  }
  if (content === null || typeof content !== 'object' || Array.isArray(content)) {
    return { problems: ['expected a JSON object with uid, type and config'] };
  }
  const meta = content as Record<string, unknown>;
  const problems: string[] = [];
  const unexpected = Object.keys(meta).filter(
    (field) => !(ALLOWED_TOP_LEVEL_FIELDS as Set<string>).has(field),
  );
  if (unexpected.length > 0) problems.push(`Unexpected top-level properties found: ${unexpected.join(', ')}`);
  const uid = typeof meta.uid === 'string' ? meta.uid : undefined;
  const uidProblem = uid === undefined ? getMissingRequiredFieldError('uid') : validateUid(uid);
  if (uidProblem !== undefined) problems.push(uidProblem);
  const type = typeof meta.type === 'string' ? meta.type : undefined;
  if (type === undefined) problems.push(getMissingTypeError());
  const component = type === undefined ? undefined : Components[type];
  if (type !== undefined && component === undefined) problems.push(getUnsupportedTypeError(type));
  if (meta.config === undefined || meta.config === null) problems.push(getMissingConfigError());
  if (
    meta.permissions !== undefined &&
    !meetsMinimumPlatformVersion(project.platformVersion, PLATFORM_VERSIONS.v2026_09_BETA)
  ) {
    problems.push(
      `The "permissions" field is not supported on platform version "${project.platformVersion}". Upgrade to "2026.09" or later to use component-level permissions.`,
    );
  }
  if (type !== undefined && component !== undefined) {
    const parent =
      component.parentComponent === undefined ? undefined : Components[component.parentComponent];
    const expected = join(parent?.dir ?? '', component.dir);
    if (dirname(file) !== expected) {
      problems.push(
        `The directory '${dirname(file)}' is incorrect for type '${type}'. ${component.userFriendlyName} ${component.userFriendlyTypePlural} should only be placed in the '${join(project.srcDir, expected)}' directory`,
      );
    }
    if (component.parentComponent === APP_KEY && !project.hasApp) {
      problems.push(
        `This '${type}' component must be a child of the '${APP_KEY}' component. No *-hsmeta.json files were found with type '${APP_KEY}'`,
      );
    }
    const schema = componentConfigSchemas[type];
    if (schema !== undefined && meta.config !== undefined) {
      const result = schema.safeParse(meta.config);
      if (!result.success) {
        for (const issue of result.error.issues) {
          problems.push(`${['config', ...issue.path.map(String)].join('.')}: ${issue.message}`);
        }
      }
    }
  }
  return {
    problems,
    ...(uid !== undefined && type !== undefined ? { component: { uid, type } } : {}),
  };
}

/** Files whose text may name the Dealreg API (configs and the card's source). */
const textExtensions = new Set(['.json', '.js', '.jsx', '.ts', '.tsx', '.mjs', '.cjs']);
/** What is never copied into the upload: installed packages and build output. */
const notCopied = new Set(['node_modules', 'dist', '.DS_Store']);

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** Whether `path` is a directory, a file (anything else), or nothing yet. */
async function kindOf(path: string): Promise<'directory' | 'file' | 'none'> {
  try {
    return (await stat(path)).isDirectory() ? 'directory' : 'file';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw error;
  }
}

/** The problems a project built for `apiBase` has, beyond HubSpot's: URLs left unfilled or wrong. */
async function deployedUrlProblems(projectDir: string, validation: ProjectValidation, apiBase: string) {
  const problems: string[] = [];
  const urls = deployedAppUrls(apiBase);
  for (const file of await filesUnder(projectDir)) {
    if (!textExtensions.has(extname(file))) continue;
    if ((await readFile(file, 'utf8')).includes(dealregApiPlaceholder)) {
      problems.push(`${relative(projectDir, file)}: still names ${dealregApiPlaceholder}`);
    }
  }
  const config = parseProjectConfig(projectDir);
  for (const { type, file } of Object.values(validation.components)) {
    if (type !== 'webhooks') continue;
    const meta = JSON.parse(await readFile(join(projectDir, config.srcDir, file), 'utf8')) as {
      config: unknown;
    };
    const webhooks = webhooksConfigSchema.safeParse(meta.config);
    if (webhooks.success && webhooks.data.settings.targetUrl !== urls.crmEventsUrl) {
      problems.push(
        `${file}: the webhook target is ${webhooks.data.settings.targetUrl}, not the API's CRM-events endpoint ${urls.crmEventsUrl}`,
      );
    }
  }
  return problems;
}

/** A project that failed validation, with every problem named. */
export class InvalidHubSpotProjectError extends Error {
  override readonly name: string = 'InvalidHubSpotProjectError';
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[]) {
    super(`the HubSpot project built from ${source} is not valid:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/**
 * Copies the project at `sourceDir` to `outDir` with the Dealreg API placeholder replaced by
 * `apiBase` in every config and source file, validates the copy and only then puts it in place:
 * an invalid project leaves `outDir` as it was. `outDir` must be new, empty, or a project this
 * function wrote before; it may not lie inside the source.
 */
export async function writeDeployedProject(
  sourceDir: string,
  outDir: string,
  apiBase: string,
): Promise<ProjectValidation> {
  const source = resolve(sourceDir);
  const out = resolve(outDir);
  if (out === source || out.startsWith(`${source}${sep}`)) {
    throw new UsageError(
      `--out ${outDir} is inside the project ${sourceDir}, which is never edited; choose a build directory such as dist/hubspot-project`,
    );
  }
  if (source.startsWith(`${out}${sep}`)) {
    throw new UsageError(
      `--out ${outDir} contains the project ${sourceDir}; choose a build directory of its own`,
    );
  }
  const kind = await kindOf(out);
  if (kind === 'file') {
    throw new UsageError(`--out ${outDir} is a file, not a directory; choose a new or empty directory`);
  }
  if (kind === 'directory') {
    const entries = await readdir(out);
    if (entries.length > 0 && !entries.includes('hsproject.json')) {
      throw new UsageError(
        `--out ${outDir} holds files that are not a HubSpot project; choose a new or empty directory`,
      );
    }
  }
  await mkdir(dirname(out), { recursive: true });
  const building = await mkdtemp(join(dirname(out), `.${basename(out)}-`));
  try {
    await cp(source, building, {
      recursive: true,
      filter: (path) => !notCopied.has(basename(path)),
    });
    for (const file of await filesUnder(building)) {
      if (!textExtensions.has(extname(file))) continue;
      const text = await readFile(file, 'utf8');
      const filled = withDeployedApi(text, apiBase);
      if (filled !== text) await writeFile(file, filled);
    }
    const validation = await validateHubSpotProject(building);
    const problems = [...validation.problems, ...(await deployedUrlProblems(building, validation, apiBase))];
    if (problems.length > 0) throw new InvalidHubSpotProjectError(sourceDir, problems);
    await rm(out, { recursive: true, force: true });
    await rename(building, out);
    return validation;
  } finally {
    await rm(building, { recursive: true, force: true });
  }
}
