import type { AwsReferrals, CoSellCatalogs, CoSellOpportunities } from '#ports/partner-central.ts';
import { PartnerCentralAwsReferrals } from './aws-referrals.ts';
import { PartnerCentralCoSellOpportunities } from './co-sell-opportunities.ts';
import { partnerCentralClient } from './partner-central-client.ts';
import { RetryingCalls } from './retrying-calls.ts';

/**
 * Partner Central in whichever catalog the policy names: one SDK client (us-east-1, or the local
 * stand-in's endpoint) and one opportunity adapter per catalog, made when first asked for.
 */
export function partnerCentralCatalogs(
  settings: { readonly region?: string | undefined; readonly endpoint?: string | undefined } = {},
  options: {
    readonly credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
    readonly calls?: RetryingCalls | undefined;
  } = {},
): CoSellCatalogs {
  const client = partnerCentralClient(
    {
      catalog: 'Sandbox',
      region: settings.region ?? 'us-east-1',
      ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    },
    options.credentials,
  );
  const calls = options.calls ?? new RetryingCalls();
  const adapters = new Map<'Sandbox' | 'AWS', CoSellOpportunities>();
  return (catalog) => {
    let adapter = adapters.get(catalog);
    if (adapter === undefined) {
      adapter = new PartnerCentralCoSellOpportunities(client, catalog, calls);
      adapters.set(catalog, adapter);
    }
    return adapter;
  };
}

/** AWS referrals in whichever catalog is asked for: one SDK client, one adapter per catalog. */
export function partnerCentralReferrals(
  settings: { readonly region?: string | undefined; readonly endpoint?: string | undefined } = {},
  options: {
    readonly credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
    readonly calls?: RetryingCalls | undefined;
  } = {},
): (catalog: 'Sandbox' | 'AWS') => AwsReferrals {
  const client = partnerCentralClient(
    {
      catalog: 'Sandbox',
      region: settings.region ?? 'us-east-1',
      ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    },
    options.credentials,
  );
  const calls = options.calls ?? new RetryingCalls();
  const adapters = new Map<'Sandbox' | 'AWS', AwsReferrals>();
  return (catalog) => {
    let adapter = adapters.get(catalog);
    if (adapter === undefined) {
      adapter = new PartnerCentralAwsReferrals(client, catalog, calls);
      adapters.set(catalog, adapter);
    }
    return adapter;
  };
}
