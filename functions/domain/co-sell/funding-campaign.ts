import * as z from 'zod';
import { marketingChannels } from './ace-vocabulary.ts';

/**
 * The marketing campaign a registration came from, as co-sell needs it: its name, whether AWS
 * money (MDF, a funded campaign) paid for it, and the channels it ran on. It fills the
 * opportunity's Marketing section, which AWS reads to attribute partner-sourced pipeline to funded
 * activity.
 */
export const fundingCampaignSchema = z.strictObject({
  campaignId: z.string().min(1),
  /** The campaign's name as AWS will see it. */
  name: z.string().min(1).max(255),
  /** Whether AWS funding (MDF or another AWS program) paid for the campaign. */
  awsFunded: z.boolean(),
  /** Where the campaign ran, in Partner Central's channel names. */
  channels: z.array(z.enum(marketingChannels)).readonly().default([]),
});
export type FundingCampaign = z.infer<typeof fundingCampaignSchema>;
