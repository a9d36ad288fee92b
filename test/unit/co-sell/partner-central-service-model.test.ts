import { describe, expect, it } from 'vitest';
import { errorStatus, requiredMembers, shapeProblems } from '#local/partner-central/service-model.ts';

/**
 * The checker the stand-in and the contract tests judge Partner Central shapes with: it must find
 * what the model forbids, or the contract tests could pass on anything.
 */
describe('the Partner Central service model checker', () => {
  it('reads required members and error statuses from the SDK schemas', () => {
    expect(requiredMembers('StartEngagementFromOpportunityTaskRequest')).toEqual([
      'Catalog',
      'Identifier',
      'AwsSubmission',
    ]);
    expect(requiredMembers('GetOpportunityResponse')).toEqual([
      'Catalog',
      'Id',
      'LastModifiedDate',
      'CreatedDate',
      'RelatedEntityIdentifiers',
    ]);
    expect(errorStatus('ThrottlingException')).toBe(429);
    expect(errorStatus('ConflictException')).toBe(409);
    expect(errorStatus('ValidationException')).toBe(400);
  });

  it('names a missing required member, an unknown member, a value outside an enum and a broken limit', () => {
    const problems = shapeProblems('CreateOpportunityRequest', {
      Customer: { Account: { WebsiteUrl: 'x' } },
      LifeCycle: { Stage: 'Won', TargetCloseDate: '31/03/2027' },
      PrimaryNeedsFromAws: ['Co-Sell - Deal Support', 'Lunch'],
      OpportunityTeam: [{ Email: 'A@B.COM' }, { Email: 'b@example.com' }],
      Colour: 'blue',
    });

    expect(problems.map((p) => `${p.code} ${p.path}`)).toEqual([
      'INVALID_VALUE Colour',
      'REQUIRED_FIELD_MISSING Catalog',
      'INVALID_ENUM_VALUE PrimaryNeedsFromAws[1]',
      'REQUIRED_FIELD_MISSING Customer.Account.CompanyName',
      'INVALID_STRING_FORMAT Customer.Account.WebsiteUrl',
      'INVALID_ENUM_VALUE LifeCycle.Stage',
      'INVALID_STRING_FORMAT LifeCycle.TargetCloseDate',
      'INVALID_VALUE OpportunityTeam',
      'INVALID_STRING_FORMAT OpportunityTeam[0].Email',
    ]);
  });

  it('checks timestamps as the wire carries them (date-time strings) and as the SDK gives them (Date)', () => {
    const wire = { Id: 'O1000001', LastModifiedDate: '2026-12-06T11:00:00.000Z' };

    expect(shapeProblems('CreateOpportunityResponse', wire, 'wire')).toEqual([]);
    expect(
      shapeProblems('CreateOpportunityResponse', { ...wire, LastModifiedDate: 1_796_000_000 }, 'wire'),
    ).toEqual([
      { path: 'LastModifiedDate', message: 'expected an ISO-8601 date-time', code: 'INVALID_STRING_FORMAT' },
    ]);
    expect(
      shapeProblems(
        'CreateOpportunityResponse',
        { ...wire, LastModifiedDate: new Date(wire.LastModifiedDate) },
        'sdk',
      ),
    ).toEqual([]);
  });

  it('checks the engagement invitation operations an AWS referral uses', () => {
    expect(requiredMembers('ListEngagementInvitationsRequest')).toEqual(['Catalog', 'ParticipantType']);
    expect(requiredMembers('RejectEngagementInvitationRequest')).toEqual(['Catalog', 'Identifier']);
    expect(
      shapeProblems('AcceptEngagementInvitationRequest', { Catalog: 'Sandbox', Identifier: 'engi-abc' }).map(
        (p) => `${p.code} ${p.path}`,
      ),
    ).toEqual(['INVALID_STRING_FORMAT Identifier']);
    expect(
      shapeProblems('ListEngagementInvitationsRequest', {
        Catalog: 'Sandbox',
        ParticipantType: 'OBSERVER',
        Status: ['PENDING', 'WITHDRAWN'],
      }).map((p) => `${p.code} ${p.path}`),
    ).toEqual(['INVALID_ENUM_VALUE ParticipantType', 'INVALID_ENUM_VALUE Status[1]']);
    expect(
      shapeProblems('OpportunityInvitationPayload', {
        ReceiverResponsibilities: ['Services Partner'],
        Customer: {
          Industry: 'Software and Internet',
          CompanyName: 'Northwind',
          WebsiteUrl: 'x',
          CountryCode: 'DE',
        },
        Project: {
          Title: 'T',
          BusinessProblem: 'too short',
          TargetCompletionDate: '2027-3-1',
          ExpectedCustomerSpend: [],
        },
      }).map((p) => `${p.code} ${p.path}`),
    ).toEqual([
      'INVALID_STRING_FORMAT Customer.WebsiteUrl',
      'INVALID_STRING_FORMAT Project.BusinessProblem',
      'INVALID_STRING_FORMAT Project.TargetCompletionDate',
    ]);
  });
});
