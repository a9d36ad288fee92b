import * as z from 'zod';
import { recordedDealChanges } from '#domain/crm-events/recorded-deal-changes.ts';

/**
 * The Dealreg API's base URL as the repository's HubSpot project writes it (`hubspot/`): the
 * webhook target and the permitted fetch URL start with it, and so may the deal card's requests.
 * `dealreg hubspot project` replaces it with the deployed API's URL in the copy it builds.
 */
export const dealregApiPlaceholder = 'https://dealreg-api.example.com';

/** Where the API receives the app's webhook deliveries (the CRM-events endpoint). */
export const crmEventsPath = 'hubspot/crm-events';

/** An http(s) URL; HubSpot refuses anything else as a webhook target or permitted URL. */
const urlSchema = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/**
 * One `crmObjects` subscription: the generic (`object.*`) format, the object named by `objectType`
 * ("Configure webhooks", HubSpot developer platform; "Create generic webhook subscriptions").
 */
const crmObjectSubscriptionSchema = z
  .strictObject({
    subscriptionType: z.enum([
      'object.creation',
      'object.deletion',
      'object.merge',
      'object.restore',
      'object.propertyChange',
      'object.associationChange',
    ]),
    objectType: z.string().min(1),
    propertyName: z.string().min(1).optional(),
    active: z.boolean(),
  })
  .refine(
    (subscription) =>
      (subscription.subscriptionType === 'object.propertyChange') ===
      (subscription.propertyName !== undefined),
    {
      message: 'propertyName goes with object.propertyChange subscriptions, and only with them',
      path: ['propertyName'],
    },
  );

/** `legacyCrmObjects` (`deal.creation`, `contact.propertyChange`…) and `hubEvents` entries. */
const classicSubscriptionSchema = z.strictObject({
  subscriptionType: z
    .string()
    .regex(/^[a-z_]+\.[A-Za-z]+$/, 'expected a subscription type such as deal.creation'),
  propertyName: z.string().min(1).optional(),
  active: z.boolean(),
});

/** The `config` of a `webhooks` component ("Configure webhooks", HubSpot developer platform). */
export const webhooksConfigSchema = z.strictObject({
  settings: z.strictObject({
    targetUrl: urlSchema,
    maxConcurrentRequests: z.int().positive().optional(),
  }),
  subscriptions: z.strictObject({
    crmObjects: z.array(crmObjectSubscriptionSchema).optional(),
    legacyCrmObjects: z.array(classicSubscriptionSchema).optional(),
    hubEvents: z.array(classicSubscriptionSchema).optional(),
  }),
});
export type WebhooksConfig = z.infer<typeof webhooksConfigSchema>;

/**
 * The `config` of the `app` component ("App configuration", HubSpot developer platform): name up
 * to 200 characters without surrounding spaces, description up to 8,192, and a static token only
 * for a privately distributed app ("Authentication overview").
 */
export const appConfigSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(200)
      .refine((name) => name.trim() === name, 'must not start or end with a space'),
    description: z.string().min(1).max(8192),
    distribution: z.enum(['private', 'marketplace']),
    auth: z.strictObject({
      type: z.enum(['static', 'oauth']),
      redirectUrls: z.array(urlSchema).optional(),
      requiredScopes: z.array(z.string().min(1)).min(1),
      optionalScopes: z.array(z.string().min(1)).optional(),
      conditionallyRequiredScopes: z.array(z.string().min(1)).optional(),
    }),
    permittedUrls: z
      .strictObject({
        fetch: z.array(urlSchema).optional(),
        iframe: z.array(urlSchema).optional(),
        img: z.array(urlSchema).optional(),
      })
      .optional(),
    support: z.looseObject({}).optional(),
  })
  .refine((config) => config.auth.type !== 'static' || config.distribution === 'private', {
    message: 'a static-token app must be distributed privately (distribution "private")',
    path: ['distribution'],
  });
export type AppConfig = z.infer<typeof appConfigSchema>;

/** The component configs Dealreg's project relies on, by component type. */
export const componentConfigSchemas: Readonly<Record<string, z.ZodType>> = {
  app: appConfigSchema,
  webhooks: webhooksConfigSchema,
};

/** A `crmObjects` subscription as the project writes it. */
export interface CrmObjectSubscription {
  readonly subscriptionType: string;
  readonly objectType: string;
  readonly propertyName?: string | undefined;
}

/**
 * The deal subscriptions Dealreg needs: one for each change the CRM-events handler records
 * ({@link recordedDealChanges}), in the generic format apps on the developer platform receive.
 */
export function neededDealSubscriptions(): CrmObjectSubscription[] {
  return [
    ...(recordedDealChanges.creation ? [{ subscriptionType: 'object.creation', objectType: 'deal' }] : []),
    ...recordedDealChanges.properties.map((propertyName) => ({
      subscriptionType: 'object.propertyChange',
      objectType: 'deal',
      propertyName,
    })),
    ...(recordedDealChanges.associations
      ? [{ subscriptionType: 'object.associationChange', objectType: 'deal' }]
      : []),
    ...(recordedDealChanges.merges ? [{ subscriptionType: 'object.merge', objectType: 'deal' }] : []),
  ];
}

/** The key of a subscription, for comparing what a project has with what Dealreg needs. */
export function subscriptionKey(subscription: CrmObjectSubscription): string {
  return [subscription.subscriptionType, subscription.objectType, subscription.propertyName ?? '']
    .join(' ')
    .trim();
}

/** The active deal subscriptions of a webhooks config that Dealreg needs but the config lacks. */
export function missingDealSubscriptions(config: WebhooksConfig): string[] {
  const active = new Set(
    (config.subscriptions.crmObjects ?? [])
      .filter((subscription) => subscription.active)
      .map((subscription) => subscriptionKey(subscription)),
  );
  return neededDealSubscriptions()
    .map(subscriptionKey)
    .filter((key) => !active.has(key));
}

/** Why a URL cannot be the deployed API's: undefined when it can. */
export function apiUrlProblem(
  text: string,
  options: { readonly allowLocalHttp: boolean },
): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a URL; expected the API's base URL, such as https://abc123.execute-api.us-east-1.amazonaws.com/prod/`;
  }
  // The webhook target and the card's URL are this base plus a path.
  if (url.username !== '' || url.password !== '') {
    return `${url.protocol}//…@${url.host}${url.pathname} has a user name or password in it; pass the API's base URL alone`;
  }
  if (url.search !== '') return `${text} has a query (${url.search}); pass the API's base URL alone`;
  if (url.hash !== '') return `${text} has a fragment (${url.hash}); pass the API's base URL alone`;
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' && !local) return undefined;
  if (local && options.allowLocalHttp && (url.protocol === 'http:' || url.protocol === 'https:'))
    return undefined;
  if (local) {
    return `${text} is this machine: HubSpot delivers webhooks only to a public HTTPS URL; pass the URL of a tunnel to it or of a deployed stage`;
  }
  return `${text} is not an HTTPS URL: HubSpot delivers webhooks and card requests only to public HTTPS endpoints`;
}

/** The URLs the HubSpot app needs, from the API's base URL (with or without a trailing slash). */
export function deployedAppUrls(apiUrl: string): { readonly apiBase: string; readonly crmEventsUrl: string } {
  const apiBase = apiUrl.replace(/\/+$/, '');
  return { apiBase, crmEventsUrl: `${apiBase}/${crmEventsPath}` };
}

/** A project file's text with the API placeholder replaced by the deployed API's base URL. */
export function withDeployedApi(text: string, apiBase: string): string {
  return text.replaceAll(dealregApiPlaceholder, apiBase);
}

/**
 * The API's base URL from the stateless stack's outputs: `ApiUrl`, or, for a stack deployed
 * before that output existed, the CRM-events construct's webhook URL (`CrmEventsWebhookUrl…`)
 * without its path. Undefined when the stack has neither.
 */
export function apiUrlFromStackOutputs(
  outputs: Readonly<Record<string, string>>,
  apiUrlKey: string,
): string | undefined {
  const direct = outputs[apiUrlKey];
  if (direct !== undefined && direct !== '') return direct;
  const webhookKey = Object.keys(outputs).find((key) => /^CrmEventsWebhookUrl[0-9A-F]{8}$/.test(key));
  const webhookUrl = webhookKey === undefined ? undefined : outputs[webhookKey];
  if (webhookUrl === undefined || !webhookUrl.replace(/\/+$/, '').endsWith(`/${crmEventsPath}`))
    return undefined;
  return webhookUrl.replace(/\/+$/, '').slice(0, -crmEventsPath.length);
}
