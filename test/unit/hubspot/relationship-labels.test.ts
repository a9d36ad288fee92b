import { describe, expect, it } from 'vitest';
import { relationshipTypeLabels, relationshipTypes } from '#domain/relationship-type.ts';
import { crmNames } from '#ports/hubspot.ts';
import { dealRegistrationObjectSpec } from '#use-cases/setup-hubspot-portal.ts';
// The app card is built by HubSpot on its own and cannot import the project's list: held to it here.
import { relationshipLabel } from '../../../hubspot/src/app/cards/deal-attribution.ts';

describe('relationship labels', () => {
  it('are the same on the deal card as on the pages and in the emails', () => {
    for (const type of relationshipTypes) {
      expect(relationshipLabel(type)).toBe(relationshipTypeLabels[type]);
    }
  });

  it('label the Deal Registration object’s relationship options as the pages and emails do', () => {
    const property = dealRegistrationObjectSpec.properties.find(
      (candidate) => candidate.name === crmNames.registration.relationship,
    );

    expect(property?.options).toEqual(
      relationshipTypes.map((type) => ({ label: relationshipTypeLabels[type], value: type })),
    );
  });
});
