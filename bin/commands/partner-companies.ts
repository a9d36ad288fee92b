import { HubSpotPartnerDirectory } from '#adapters/hubspot/partner-directory.ts';
import type { PartnerCompanyLookup } from '#ports/hubspot.ts';
import { connect, resolveHubSpotSettings } from './hubspot-settings.ts';

/**
 * HubSpot's partner companies, to name partners: through `HUBSPOT_ACCESS_TOKEN` (and
 * `HUBSPOT_BASE_URL`), else the running local stack's sandbox. Undefined, with a note on stderr,
 * when neither is there: the command then shows partner ids only.
 */
export async function partnerCompaniesFor(
  dataDir: string,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<PartnerCompanyLookup | undefined> {
  const hasToken = Boolean(environment.HUBSPOT_ACCESS_TOKEN?.trim());
  const settings = await resolveHubSpotSettings({ dataDir }, environment).catch(() => undefined);
  if (settings === undefined) {
    if (!hasToken) {
      console.error(
        'note: partners are shown by HubSpot company id; set HUBSPOT_ACCESS_TOKEN (or run the local stack) to show their names',
      );
    }
    return undefined;
  }
  return new HubSpotPartnerDirectory(connect(settings));
}

/** Reads names through `lookup`; a HubSpot that cannot be read leaves the ids unnamed, with a note. */
export async function namesOf(
  lookup: PartnerCompanyLookup | undefined,
  ids: readonly string[],
): Promise<ReadonlyMap<string, string>> {
  if (lookup === undefined || ids.length === 0) return new Map();
  try {
    const companies = await lookup.companiesById(ids);
    return new Map(
      companies.flatMap((company) => (company.name === null ? [] : [[company.id, company.name]])),
    );
  } catch (error) {
    console.error(
      `note: partners are shown by id; HubSpot could not be read (${error instanceof Error ? error.message : String(error)})`,
    );
    return new Map();
  }
}
