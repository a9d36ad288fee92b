import type { AwsReferrals, CoSellCatalogs } from '#ports/partner-central.ts';
import { PartnerCentralAwsReferrals } from './aws-referrals.ts';
import { PartnerCentralCoSellOpportunities } from './co-sell-opportunities.ts';
import { partnerCentralClient } from './partner-central-client.ts';
import { RetryingCalls } from './retrying-calls.ts';

/** Where the Selling API is, and how it is called: the settings both factories below take. */
interface PartnerCentralSettings {
  readonly region?: string | undefined;
  readonly endpoint?: string | undefined;
}
interface PartnerCentralOptions {
  readonly credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  readonly calls?: RetryingCalls | undefined;
}

/**
 * One SDK client (us-east-1 unless told otherwise, or the endpoint given), and one adapter per
 * catalog asked for, made by `adapterFor` and kept.
 */
function perCatalog<Adapter>(
  settings: PartnerCentralSettings,
  options: PartnerCentralOptions,
  adapterFor: (
    client: ReturnType<typeof partnerCentralClient>,
    catalog: 'Sandbox' | 'AWS',
    calls: RetryingCalls,
  ) => Adapter,
): (catalog: 'Sandbox' | 'AWS') => Adapter {
  const client = partnerCentralClient(
    {
      catalog: 'Sandbox',
      region: settings.region ?? 'us-east-1',
      ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    },
    options.credentials,
  );
  const calls = options.calls ?? new RetryingCalls();
  const adapters = new Map<'Sandbox' | 'AWS', Adapter>();
  return (catalog) => {
    let adapter = adapters.get(catalog);
    if (adapter === undefined) {
      adapter = adapterFor(client, catalog, calls);
      adapters.set(catalog, adapter);
    }
    return adapter;
  };
}

/**
 * Partner Central in whichever catalog the policy names: one SDK client (us-east-1, or the local
 * stand-in's endpoint) and one opportunity adapter per catalog, made when first asked for.
 */
export function partnerCentralCatalogs(
  settings: PartnerCentralSettings = {},
  options: PartnerCentralOptions = {},
): CoSellCatalogs {
  return perCatalog(
    settings,
    options,
    (client, catalog, calls) => new PartnerCentralCoSellOpportunities(client, catalog, calls),
  );
}

/** AWS referrals in whichever catalog is asked for: one SDK client, one adapter per catalog. */
export function partnerCentralReferrals(
  settings: PartnerCentralSettings = {},
  options: PartnerCentralOptions = {},
): (catalog: 'Sandbox' | 'AWS') => AwsReferrals {
  return perCatalog(
    settings,
    options,
    (client, catalog, calls) => new PartnerCentralAwsReferrals(client, catalog, calls),
  );
}
