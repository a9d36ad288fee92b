import type { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/associations/v4/models/AssociationSpec.js';
import type { AssociationSpecAssociationCategoryEnum as ObjectAssociationCategory } from '@hubspot/api-client/lib/codegen/crm/objects/models/AssociationSpec.js';
import type { RelationshipType } from '#domain/relationship-type.ts';
import { crmNames, type DealDraft, type DealWriter } from '#ports/hubspot.ts';
import type { HubSpotConnection } from './connection.ts';
import {
  associateDefault,
  createUnique,
  findByUniqueProperty,
  rememberedUntilFailure,
} from './crm-requests.ts';
import { HubSpotConfigurationError, HubSpotNotFoundError } from './errors.ts';

const currencyCacheMs = 5 * 60_000;

// The generated client types HubSpot's enumerations as TypeScript enums of the same strings.
const userDefined = 'USER_DEFINED' as AssociationSpecAssociationCategoryEnum;
const hubspotDefined = 'HUBSPOT_DEFINED' as ObjectAssociationCategory;
/** HubSpot's defined (unlabelled) association type from a deal to a company. */
const dealToCompanyTypeId = 341;

/**
 * The deal of an approved registration in HubSpot: created (or an existing one linked) keyed by
 * registration id, with the customer company and the partner's relationship as its label.
 */
export class HubSpotDealWriter implements DealWriter {
  readonly #connection: HubSpotConnection;
  /** The association type id of each relationship's partner label, read once per adapter. */
  readonly #partnerLabelTypeIds: () => Promise<Map<string, number>>;
  /** The enabled currencies and when they were read: a portal's admin can enable another. */
  #currencies: { readonly at: number; readonly value: Promise<ReadonlySet<string> | undefined> } | undefined;

  constructor(connection: HubSpotConnection) {
    this.#connection = connection;
    this.#partnerLabelTypeIds = rememberedUntilFailure(async () => {
      const { client, gateway } = connection;
      const answer = await gateway.call('read partner association labels', () =>
        client.crm.associations.v4.schema.definitionsApi.getAll('companies', 'deals'),
      );
      const byRelationship = new Map<string, number>();
      for (const [relationship, [label]] of Object.entries(crmNames.partnerLabels)) {
        const found = answer.results.find((definition) => definition.label === label);
        if (found !== undefined) byRelationship.set(relationship, found.typeId);
      }
      return byRelationship;
    });
  }

  /**
   * `deal_currency_code` is an enumeration of the currencies enabled in the portal ("Set up
   * multiple currencies", HubSpot Knowledge Base; a deal in another currency is refused with 400),
   * read through the properties API and kept five minutes.
   */
  dealCurrencies(): Promise<ReadonlySet<string> | undefined> {
    const now = Date.now();
    if (this.#currencies === undefined || now - this.#currencies.at > currencyCacheMs) {
      const { client, gateway } = this.#connection;
      const value = gateway
        .call('read the portal deal currencies', () =>
          client.crm.properties.coreApi.getByName('deals', 'deal_currency_code'),
        )
        .then((property) => {
          const codes = (property.options ?? []).map((option) => option.value.trim().toUpperCase());
          return codes.length === 0 ? undefined : new Set(codes);
        })
        .catch((error: unknown) => {
          this.#currencies = undefined;
          if (error instanceof HubSpotNotFoundError) return undefined;
          throw error;
        });
      this.#currencies = { at: now, value };
    }
    return this.#currencies.value;
  }

  async createOrLinkDeal(
    draft: DealDraft,
    existingDealId?: string,
  ): Promise<{ dealId: string; created: boolean }> {
    const connection = this.#connection;
    const findClaimed = () =>
      findByUniqueProperty(connection, 'deals', crmNames.deal.registrationId, draft.registrationId);
    const claimed = await findClaimed();
    if (claimed !== null) return { dealId: claimed.id, created: false };
    if (existingDealId !== undefined) {
      await connection.gateway.call('link deal to registration', () =>
        connection.client.crm.deals.basicApi.update(existingDealId, {
          properties: { [crmNames.deal.registrationId]: draft.registrationId },
        }),
      );
      if (draft.customerCompanyId !== undefined) {
        await associateDefault(connection, 'deals', existingDealId, 'companies', draft.customerCompanyId);
      }
      return { dealId: existingDealId, created: false };
    }
    const properties: Record<string, string> = {
      dealname: draft.name,
      [crmNames.deal.registrationId]: draft.registrationId,
    };
    if (draft.amount !== undefined) properties.amount = String(draft.amount);
    if (draft.currency !== undefined) properties.deal_currency_code = draft.currency;
    if (draft.closeDate !== undefined) properties.closedate = draft.closeDate;
    if (draft.pipelineId !== undefined) properties.pipeline = draft.pipelineId;
    if (draft.stageId !== undefined) properties.dealstage = draft.stageId;
    if (draft.ownerId !== undefined) properties.hubspot_owner_id = draft.ownerId;
    // The customer company rides in the create itself, so the deal never exists without it and
    // the CRM's creation event can already be attributed to the customer.
    const associations =
      draft.customerCompanyId === undefined
        ? []
        : [
            {
              to: { id: draft.customerCompanyId },
              types: [{ associationCategory: hubspotDefined, associationTypeId: dealToCompanyTypeId }],
            },
          ];
    const made = await createUnique(
      connection,
      'deals',
      'create deal',
      properties,
      findClaimed,
      associations,
    );
    if (!made.created && draft.customerCompanyId !== undefined) {
      await associateDefault(connection, 'deals', made.id, 'companies', draft.customerCompanyId);
    }
    return { dealId: made.id, created: made.created };
  }

  async associatePartner(
    partnerCompanyId: string,
    dealId: string,
    relationship: RelationshipType,
  ): Promise<void> {
    const { client, gateway } = this.#connection;
    const labels = await this.#partnerLabelTypeIds();
    const wanted = labels.get(relationship);
    if (wanted === undefined) {
      throw new HubSpotConfigurationError(
        `the "${crmNames.partnerLabels[relationship][0]}" association label is missing; run \`dealreg hubspot setup\``,
      );
    }
    // The association PUT adds a label to those the pair has, so a relabelled partner first
    // gets the new label, then loses the others: the deal never lacks a partner label.
    await gateway.call('label partner association', () =>
      client.crm.associations.v4.basicApi.create('companies', partnerCompanyId, 'deals', dealId, [
        { associationCategory: userDefined, associationTypeId: wanted },
      ]),
    );
    // Removing labels the pair does not carry is a no-op, so the other partner labels are
    // removed without first listing the partner's (possibly many) deal associations.
    const stale = [...labels.values()].filter((typeId) => typeId !== wanted);
    if (stale.length > 0) {
      await gateway.call('remove other partner labels', () =>
        client.crm.associations.v4.batchApi.archiveLabels('companies', 'deals', {
          inputs: [
            {
              _from: { id: partnerCompanyId },
              to: { id: dealId },
              types: stale.map((typeId) => ({
                associationCategory: userDefined,
                associationTypeId: typeId,
              })),
            },
          ],
        }),
      );
    }
    await gateway.call('mirror partner on deal', () =>
      client.crm.deals.basicApi.update(dealId, {
        properties: {
          [crmNames.deal.partnerCompanyId]: partnerCompanyId,
          [crmNames.deal.partnerRelationship]: relationship,
        },
      }),
    );
  }
}
