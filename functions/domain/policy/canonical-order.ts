import { weekdays } from '#domain/business-hours/business-calendar.ts';
import { marketingChannels } from '#domain/co-sell/ace-vocabulary.ts';
import { cloudMarketplaces } from '#domain/registration.ts';
import { relationshipTypes } from '#domain/relationship-type.ts';
import type { Policy } from './policy-schema.ts';

/** The values in the order `order` lists them; a value it does not list goes last, as written. */
function inOrderOf<T extends string>(order: readonly string[], values: readonly T[]): T[] {
  const rank = (value: string) => {
    const at = order.indexOf(value);
    return at === -1 ? order.length : at;
  };
  return [...values].sort((one, other) => rank(one) - rank(other));
}

/** Sorted by code unit, as RFC 8785 orders object keys: the same in every locale. */
function sorted<T extends string>(values: readonly T[]): T[] {
  return [...values].sort((one, other) => (one < other ? -1 : one > other ? 1 : 0));
}

/**
 * The policy with every list whose order means nothing in one order: working days in week order,
 * holidays by date, countries and region names alphabetically, marketplaces and relationship
 * types as Dealreg lists them. Two files that list the same days, countries or types in another
 * order say the same thing, and get the same version; the lists whose order means something
 * (routing rules, first match wins; leadership and investment types, in the order reports show
 * them) keep it.
 */
export function inCanonicalOrder(policy: Policy): Policy {
  const { calendar, regions, routing, conflicts, definitions, coSell } = policy;
  const { channelTeam } = conflicts.directActivity;
  return {
    ...policy,
    calendar: {
      ...calendar,
      workingDays: inOrderOf(weekdays, calendar.workingDays),
      holidays: sorted(calendar.holidays),
    },
    regions: Object.fromEntries(
      Object.entries(regions).map(([name, countries]) => [name, sorted(countries)]),
    ),
    routing: {
      ...routing,
      rules: routing.rules.map((rule) => ({
        ...rule,
        ...(rule.regions === undefined ? {} : { regions: sorted(rule.regions) }),
        ...(rule.cloudMarketplaces === undefined
          ? {}
          : { cloudMarketplaces: inOrderOf(cloudMarketplaces, rule.cloudMarketplaces) }),
      })),
    },
    conflicts: {
      ...conflicts,
      directActivity: {
        ...conflicts.directActivity,
        // Compared without regard to case, so written in lower case: `Pat@` and `pat@` are one person.
        ...(channelTeam === undefined
          ? {}
          : { channelTeam: sorted([...new Set(channelTeam.map((email) => email.toLowerCase()))]) }),
      },
    },
    definitions: {
      ...definitions,
      partnerSourced: {
        ...definitions.partnerSourced,
        relationshipTypes: inOrderOf(relationshipTypes, definitions.partnerSourced.relationshipTypes),
      },
      partnerInfluenced: {
        ...definitions.partnerInfluenced,
        relationshipTypes: inOrderOf(relationshipTypes, definitions.partnerInfluenced.relationshipTypes),
      },
      croView: { ...definitions.croView, partnerValues: sorted(definitions.croView.partnerValues) },
    },
    coSell: {
      ...coSell,
      marketplaces: inOrderOf(cloudMarketplaces, coSell.marketplaces),
      relationshipTypes: inOrderOf(relationshipTypes, coSell.relationshipTypes),
      // Every listed solution is associated with each opportunity: their order means nothing.
      solutions: sorted(coSell.solutions),
      fundingCampaigns: Object.fromEntries(
        Object.entries(coSell.fundingCampaigns).map(([id, campaign]) => [
          id,
          { ...campaign, channels: inOrderOf(marketingChannels, campaign.channels) },
        ]),
      ),
    },
  };
}
