import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { policyProblems } from '#test/support/policy-problems.ts';

const defaultPolicyText = readFileSync(
  new URL('../../../policy/default-policy.json', import.meta.url),
  'utf8',
);
const examplePolicyText = readFileSync(
  new URL('../../../policy/example-policy.json', import.meta.url),
  'utf8',
);

/** The plain messages a policy is refused with, or an empty list when it loads. */
const problemsOf = policyProblems;

/** The same JSON value with every object's keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, inner]) => [key, reverseKeys(inner)]),
    );
  }
  return value;
}

describe('loadPolicy', () => {
  it('accepts an empty policy and fills in every default', () => {
    const { policy, policyVersion } = loadPolicy('{}');
    expect(policyVersion).toMatch(/^pv-[0-9a-f]{12}$/);
    expect(policy.sla).toEqual({
      reminderHours: 24,
      escalationHours: 48,
      finalHours: 72,
      defaultDecision: 'approve',
      maxQuestions: 1,
    });
    expect(policy.thresholds.secondLevelApprovalFromUsd).toBe(250_000);
    expect(policy.conflicts.directActivity.lookBackDays).toBe(60);
    expect(policy.validity).toEqual({
      days: 90,
      expiryWarningDaysBefore: 14,
      maxExtensions: 1,
      extensionDays: 90,
      onClosedWon: 'keep',
      onClosedLost: 'end',
    });
    expect(policy.relationshipTypes.referral.partnerCompensation).toBe('referral-fee');
    expect(policy.formFieldMapping.customerDomain).toBe('customer_domain');
    expect(policy.intake).toEqual({
      submittedAtToleranceHours: 72,
      submitterMustBeAtPartner: true,
      closeDateHorizonMonths: 24,
    });
  });

  it.each([
    [{ submitterMustBeAtPartner: 'yes' }, 'intake.submitterMustBeAtPartner must be true or false, got "yes"'],
    [
      { closeDateHorizonMonths: 0 },
      'intake.closeDateHorizonMonths must be a whole number of months, at least 1, got 0',
    ],
    [
      { closeDateHorizonMonths: 6.5 },
      'intake.closeDateHorizonMonths must be a whole number of months, at least 1, got 6.5',
    ],
  ])('refuses the intake settings %j, saying why', (intake, problem) => {
    expect(problemsOf({ intake })).toEqual([problem]);
  });

  it('takes a channel team besides the approvers, and keeps the version of a policy that names none', () => {
    const channelTeam = ['pat.manager@example.com'];
    const named = loadPolicy({ conflicts: { directActivity: { channelTeam } } });
    expect(named.policy.conflicts.directActivity.channelTeam).toEqual(channelTeam);
    expect(named.policyVersion).not.toBe(loadPolicy('{}').policyVersion);
    expect(loadPolicy('{}').policy.conflicts.directActivity).not.toHaveProperty('channelTeam');
    expect(problemsOf({ conflicts: { directActivity: { channelTeam: ['pat.manager'] } } })).toEqual([
      'conflicts.directActivity.channelTeam[0] must be an email address, got "pat.manager"',
    ]);
  });

  it.each([0, 0.5, 721, '72h'])('refuses %j as the submittedAt tolerance, saying why', (value) => {
    expect(problemsOf({ intake: { submittedAtToleranceHours: value } })).toEqual([
      `intake.submittedAtToleranceHours must be a whole number of hours from 1 to 720 (at least 1: the backfill can take about 35 minutes to take in a submission whose webhook was lost), got ${typeof value === 'string' ? `"${value}"` : value}`,
    ]);
  });

  it('accepts the shipped default and example policies', () => {
    expect(loadPolicy(defaultPolicyText).policy.calendar.holidays).toContain('2026-11-26');
    const example = loadPolicy(examplePolicyText).policy;
    expect(example.calendar.timeZone).toBe('Europe/Berlin');
    expect(example.relationshipTypes.sourced.partnerPercent).toBe(25);
    // Relationship types the example leaves out keep their defaults.
    expect(example.relationshipTypes.influenced.partnerPercent).toBe(10);
    expect(example.formFieldMapping.partnerDomain).toBe('partner_website');
    expect(example.formFieldMapping.customerDomain).toBe('customer_domain');
  });

  it('lists every problem in plain words naming the setting', () => {
    const problems = problemsOf({
      sla: { reminderHours: -3 },
      calendar: { timeZone: 'Mars/Olympus', workingDays: ['funday'], holidays: ['2026-02-30'] },
      thresholds: { autoApproveBelowUsd: 'lots' },
      conflicts: { competingPartner: { resolution: 'coin-flip', companyNameSimilarityThreshold: 1.5 } },
      approvers: { 'new-manager': { name: 'New Manager', email: 'not-an-address' } },
      validity: { days: 2.5 },
      slaa: {},
    });
    expect(problems).toEqual([
      'sla.reminderHours must be a positive number of business hours, got -3',
      'calendar.timeZone must be an IANA time zone such as America/New_York or Europe/Berlin, got "Mars/Olympus"',
      'calendar.workingDays[0] must be one of "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", got "funday"',
      'calendar.holidays[0] must be a calendar date written YYYY-MM-DD, got "2026-02-30"',
      'thresholds.autoApproveBelowUsd must be an amount in US dollars, zero or more, got "lots"',
      'approvers.new-manager.email must be an email address, got "not-an-address"',
      'approvers.new-manager.timeZone is required',
      'conflicts.competingPartner.resolution must be one of "first-registration-wins", "reject-later-registration", got "coin-flip"',
      'conflicts.competingPartner.companyNameSimilarityThreshold must be a number between 0 and 1 (1 means identical names), got 1.5',
      'validity.days must be a whole number of days, at least 1, got 2.5',
      'The policy has a setting Dealreg does not know: "slaa" (did you mean "sla"?)',
    ]);
  });

  it('names the setting a misspelt key most likely means, or the settings its object takes', () => {
    const rule = {
      name: 'EMEA',
      region: ['emea'],
      minAmount: 5000,
      firstApprover: 'channel-manager',
      escalationApprover: 'partner-director',
      secondLevelApprover: 'vp-sales',
    };
    expect(
      problemsOf({
        calender: {},
        sla: { remindHours: 4 },
        thresholds: { autoApproveBelowEur: 10_000, currency: 'EUR' },
        approvers: { ann: { name: 'Ann', email: 'ann@example.com', timezone: 'Europe/Paris' } },
        routing: {
          rules: [rule],
          fallback: {
            firstApprover: 'ann',
            escalationApprover: 'partner-director',
            secondLevelApprover: 'vp-sales',
          },
        },
        validity: { extentions: 1 },
      }),
    ).toEqual([
      'sla has a setting Dealreg does not know: "remindHours" (did you mean "reminderHours"?)',
      'thresholds has settings Dealreg does not know: "autoApproveBelowEur" (did you mean "autoApproveBelowUsd"? amounts in the policy are in US dollars), "currency" (amounts in the policy are in US dollars); the settings here are "autoApproveBelowUsd", "secondLevelApprovalFromUsd"',
      'approvers.ann.timeZone is required',
      'approvers.ann has a setting Dealreg does not know: "timezone" (did you mean "timeZone"?)',
      'routing.rules[0] has settings Dealreg does not know: "region" (did you mean "regions"?), "minAmount" (did you mean "minAmountUsd"?)',
      'validity has a setting Dealreg does not know: "extentions"; the settings here are "days", "expiryWarningDaysBefore", "maxExtensions", "extensionDays", "onClosedWon", "onClosedLost"',
      'The policy has a setting Dealreg does not know: "calender" (did you mean "calendar"?)',
    ]);
  });

  it('explains settings that contradict each other', () => {
    expect(
      problemsOf({
        sla: { reminderHours: 50 },
        calendar: { workingHours: { start: '17:00', end: '09:00' } },
        thresholds: { autoApproveBelowUsd: 300_000 },
        validity: { days: 10 },
        routing: {
          rules: [
            {
              name: 'Nordics',
              regions: ['nordics'],
              firstApprover: 'bob',
              escalationApprover: 'partner-director',
              secondLevelApprover: 'vp-sales',
            },
          ],
        },
        definitions: { partnerInfluenced: { relationshipTypes: ['influenced', 'referral'] } },
      }),
    ).toEqual([
      'sla.reminderHours must be less than sla.escalationHours (48), got 50',
      'calendar.workingHours.end must be later than the start (17:00), got "09:00"',
      'thresholds.autoApproveBelowUsd must not be more than thresholds.secondLevelApprovalFromUsd (250000), got 300000',
      'validity.expiryWarningDaysBefore must be less than validity.days (10), got 14',
      'routing.rules[0].firstApprover names approver "bob", who is not listed under approvers (known approvers: channel-manager, partner-director, vp-sales)',
      'routing.rules[0].regions[0] names region "nordics", which is not listed under regions (known regions: north-america, emea, apac)',
      'definitions.partnerInfluenced.relationshipTypes[1] lists "referral", which definitions.partnerSourced already counts: a relationship cannot be both',
    ]);
  });

  it('refuses a second approval level decided by the person who decides the first: two levels need two people', () => {
    const approvers = {
      'channel-manager': { name: 'Channel Manager', email: 'cm@example.com', timeZone: 'UTC' },
      director: { name: 'Director', email: 'Dana@Example.com', timeZone: 'UTC' },
      'director-again': { name: 'Director (sales)', email: 'dana@example.com', timeZone: 'UTC' },
    };
    expect(
      problemsOf({
        approvers,
        routing: {
          fallback: {
            firstApprover: 'channel-manager',
            escalationApprover: 'director',
            secondLevelApprover: 'channel-manager',
          },
          rules: [
            {
              name: 'Large EMEA',
              regions: ['emea'],
              firstApprover: 'director-again',
              escalationApprover: 'channel-manager',
              secondLevelApprover: 'director',
            },
          ],
        },
      }),
    ).toEqual([
      'routing.fallback.secondLevelApprover names "channel-manager" (cm@example.com), who also decides the first level as routing.fallback.firstApprover: a second approval must come from another person',
      'routing.rules[0].secondLevelApprover names "director" (Dana@Example.com), who also decides the first level as routing.rules[0].firstApprover ("director-again", dana@example.com): a second approval must come from another person',
    ]);
    // Different people at each level pass.
    expect(
      problemsOf({
        approvers,
        routing: {
          fallback: {
            firstApprover: 'channel-manager',
            escalationApprover: 'director',
            secondLevelApprover: 'director',
          },
        },
      }),
    ).toEqual([]);
  });

  it('reads a file saved with a byte-order mark', () => {
    expect(loadPolicy('\uFEFF{}').policyVersion).toBe(loadPolicy('{}').policyVersion);
  });

  it('refuses a key set twice in one object, naming its path and lines, instead of keeping the last', () => {
    const text = [
      '{',
      '  "routing": { "rules": [] },',
      '  "sla": { "reminderHours": 4, "reminderHours": 8 },',
      '  "routing": { "rules": [{ "firstApprover": "a", "regions": [],',
      '    "firstApprover": "b" }] }',
      '}',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      'routing is set twice in one object (lines 2 and 4): keep one; JSON would silently use only the last',
      'sla.reminderHours is set twice in one object (line 3): keep one; JSON would silently use only the last',
      'routing.rules[0].firstApprover is set twice in one object (lines 4 and 5): keep one; JSON would silently use only the last',
    ]);
    // After a byte-order mark too, and whatever the values, even equal ones.
    expect(problemsOf('\uFEFF{"sla":{},"sla":{}}')).toEqual([
      'sla is set twice in one object (line 1): keep one; JSON would silently use only the last',
    ]);
  });

  it('says an empty file is empty, rather than reporting the end of its JSON', () => {
    for (const text of ['', ' \n\t', '\uFEFF', '\uFEFF\r\n']) {
      expect(problemsOf(text)).toEqual([
        'The policy is empty: write a JSON object of settings ({} is the default policy)',
      ]);
    }
  });

  it('refuses text that is not JSON, and JSON that is not an object', () => {
    expect(problemsOf('{ "sla": ')).toEqual([expect.stringMatching(/^The policy is not valid JSON: /)]);
    expect(problemsOf('[1, 2]')).toEqual(['The policy must be a JSON object of settings, got a list']);
  });

  it.each([
    [
      'a comment',
      '{\n  // our SLA\n  "sla": {}\n}',
      '; line 2 has a comment, which JSON does not allow: remove it',
    ],
    [
      'a comma after the last setting',
      '{\n  "programName": "A, B",\n  "sla": {"reminderHours": 4,}\n}',
      '; line 3 has a comma after the last item of an object or list, which JSON does not allow: remove it',
    ],
    [
      'a comma after the last holiday',
      '{"calendar": {"holidays": ["2026-12-25",\n]}}',
      '; line 1 has a comma after the last item of an object or list',
    ],
    [
      'single quotes',
      `{"programName": "Bob's // program",\n'sla': {}}`,
      '; line 2 has a single quote: JSON takes double quotes ("...") around names and texts',
    ],
  ])('says what to do about %s, besides where JSON.parse stopped', (_, text, hint) => {
    const [problem] = problemsOf(text);
    expect(problem).toMatch(/^The policy is not valid JSON: /);
    expect(problem).toContain(hint);
  });

  it('reads a policy file given as bytes, and refuses bytes that are not UTF-8 instead of replacing them', () => {
    const utf8 = new TextEncoder().encode('{"programName": "Partnerprogramm München"}');
    expect(loadPolicy(utf8).policy.programName).toBe('Partnerprogramm München');
    expect(loadPolicy(Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])).policyVersion).toBe(
      loadPolicy('{}').policyVersion,
    );

    // "Partnerprogramm München" saved as Latin-1: ü is the one byte 0xFC.
    const latin1 = Uint8Array.from(
      Buffer.from('{\n"programName": "Partnerprogramm M\u00fcnchen"}', 'latin1'),
    );
    expect(problemsOf(latin1)).toEqual([
      'The policy is not UTF-8 text (byte 0xFC on line 2, column 34): save the file as UTF-8',
    ]);
    const utf16 = Uint8Array.from(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}', 'utf16le')]));
    expect(problemsOf(utf16)).toEqual([
      'The policy is UTF-16 text (it starts with a UTF-16 byte-order mark): save the file as UTF-8',
    ]);
  });

  it('refuses a time zone that is a fixed offset or spelt in another case, which the scheduler would not take', () => {
    expect(problemsOf({ calendar: { timeZone: '+01:00' } })).toEqual([
      'calendar.timeZone must be an IANA time zone name such as Europe/Berlin, not a fixed offset (an offset does not follow daylight saving time), got "+01:00"',
    ]);
    expect(problemsOf({ calendar: { timeZone: 'europe/berlin' } })).toEqual([
      'calendar.timeZone must be written Europe/Berlin, got "europe/berlin"',
    ]);
    expect(
      problemsOf({
        approvers: { cro: { name: 'Elena', email: 'elena@example.com', timeZone: '-0500' } },
        routing: {
          fallback: { firstApprover: 'cro', escalationApprover: 'cro', secondLevelApprover: 'cro' },
        },
      }),
    ).toEqual([
      'approvers.cro.timeZone must be an IANA time zone name such as Europe/Berlin, not a fixed offset (an offset does not follow daylight saving time), got "-0500"',
    ]);
    for (const zone of ['UTC', 'Etc/GMT+5', 'America/Argentina/Buenos_Aires', 'US/Eastern']) {
      expect(problemsOf({ calendar: { timeZone: zone } })).toEqual([]);
    }
  });

  it('names the most business hours an SLA setting may have when it has more', () => {
    expect(problemsOf({ sla: { finalHours: 1e9 } })).toEqual([
      'sla.finalHours must be at most 10000 business hours, got 1000000000',
    ]);
  });

  it('refuses a pre-QBR check more working days before the quarter end than a fiscal quarter has', () => {
    // Mon–Fri: a 90-day quarter (January–March of a common year) that ends on a weekend has 64.
    expect(problemsOf({ reporting: { qbrCheckBusinessDaysBeforeQuarterEnd: 65 } })).toEqual([
      'reporting.qbrCheckBusinessDaysBeforeQuarterEnd must be at most 64, the fewest working days a fiscal quarter has under calendar.workingDays and calendar.holidays (2026-Q1 has 64), got 65',
    ]);
    expect(problemsOf({ reporting: { qbrCheckBusinessDaysBeforeQuarterEnd: 64 } })).toEqual([]);
    // Every day a working day: the shortest quarter, February–April (of a common year), has 89 days.
    const everyDay = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
    expect(
      problemsOf({
        calendar: { workingDays: everyDay },
        reporting: { fiscalYearStartMonth: 2, qbrCheckBusinessDaysBeforeQuarterEnd: 90 },
      }),
    ).toEqual([
      'reporting.qbrCheckBusinessDaysBeforeQuarterEnd must be at most 89, the fewest working days a fiscal quarter has under calendar.workingDays and calendar.holidays (2026-Q1 has 89), got 90',
    ]);
  });

  it('counts the holidays of a quarter against the pre-QBR check’s working days', () => {
    // April–June 2031 has 65 working days (Mon–Fri); two holidays there leave 63.
    expect(
      problemsOf({
        calendar: { holidays: ['2031-05-26', '2031-06-19'] },
        reporting: { qbrCheckBusinessDaysBeforeQuarterEnd: 64 },
      }),
    ).toEqual([
      'reporting.qbrCheckBusinessDaysBeforeQuarterEnd must be at most 63, the fewest working days a fiscal quarter has under calendar.workingDays and calendar.holidays (2031-Q2 has 63), got 64',
    ]);
  });

  it('refuses a holiday or working day listed twice', () => {
    expect(
      problemsOf({
        calendar: { workingDays: ['monday', 'tuesday', 'monday'], holidays: ['2026-12-25', '2026-12-25'] },
      }),
    ).toEqual([
      'calendar.workingDays lists "monday" twice: list each working day once',
      'calendar.holidays lists "2026-12-25" twice: list each holiday once',
    ]);
  });

  it('refuses a country code that registrations never carry, naming the one they do', () => {
    expect(problemsOf({ regions: { emea: ['UK', 'de', 'FR', 'XX', 'EU'] } })).toEqual([
      'regions.emea[0] must be written GB, the ISO 3166 code registrations give United Kingdom: "UK" would never match one',
      'regions.emea[1] must be written DE, the ISO 3166 code registrations give Germany: "de" would never match one',
      'regions.emea[3] must be a two-letter ISO 3166 country code such as US or DE, got "XX", which is no country\'s code',
      'regions.emea[4] must be a two-letter ISO 3166 country code such as US or DE, got "EU", which is no country\'s code',
    ]);
  });

  it('refuses a country in two regions, saying to list it in one', () => {
    expect(problemsOf({ regions: { dach: ['DE', 'AT'], emea: ['GB', 'DE'] } })).toEqual([
      'regions.emea[1] lists DE, which is already in region "dach": routing reads one region a country, so list it in one of them',
    ]);
  });

  it('refuses a country, a routing region or a marketplace listed twice', () => {
    expect(
      problemsOf({
        regions: { dach: ['DE', 'AT', 'DE'] },
        routing: {
          rules: [
            {
              name: 'DACH',
              regions: ['dach', 'dach'],
              cloudMarketplaces: ['aws', 'aws'],
              firstApprover: 'channel-manager',
              escalationApprover: 'partner-director',
              secondLevelApprover: 'vp-sales',
            },
          ],
        },
      }),
    ).toEqual([
      'regions.dach lists "DE" twice: list each country once',
      'routing.rules[0].regions lists "dach" twice: list each region once',
      'routing.rules[0].cloudMarketplaces lists "aws" twice: list each cloud marketplace once',
    ]);
  });

  it('reports a form field mapped twice', () => {
    expect(problemsOf({ formFieldMapping: { customerDomain: 'email' } })).toEqual([
      'formFieldMapping.customerDomain form field "email" is already mapped to submitterEmail',
    ]);
  });

  it('refuses an empty leadership list, which would leave the pre-QBR report with no one to email', () => {
    expect(problemsOf({ reporting: { leadership: [] } })).toEqual([
      'reporting.leadership must list at least one person to email the pre-QBR report to',
    ]);
  });

  it('refuses more than 50 leadership recipients, or one listed twice: SES refuses an email to more than 50', () => {
    const person = (index: number) => ({ name: `Leader ${index}`, email: `leader-${index}@example.com` });
    const fifty = Array.from({ length: 50 }, (_, index) => person(index));

    expect(problemsOf({ reporting: { leadership: fifty } })).toEqual([]);
    expect(problemsOf({ reporting: { leadership: [...fifty, person(50)] } })).toEqual([
      'reporting.leadership must list at most 50 people: SES sends one email to at most 50 recipients, and the pre-QBR report is one email (a mailing list counts as one)',
    ]);
    expect(
      problemsOf({
        reporting: { leadership: [person(1), { name: 'Again', email: 'LEADER-1@example.com' }] },
      }),
    ).toEqual(['reporting.leadership must not list an email address twice (leader-1@example.com)']);
  });

  it('refuses two routing rules of one name, or a rule named fallback: a decision names the rule that routed it', () => {
    const rule = (name: string, cloudMarketplace: string) => ({
      name,
      cloudMarketplaces: [cloudMarketplace],
      firstApprover: 'channel-manager',
      escalationApprover: 'partner-director',
      secondLevelApprover: 'vp-sales',
    });
    expect(
      problemsOf({
        routing: {
          rules: [rule('EMEA', 'aws'), rule('APAC', 'azure'), rule('emea ', 'gcp'), rule('fallback', 'none')],
        },
      }),
    ).toEqual([
      'routing.rules[2].name is "emea", already the name of routing.rules[0]: give each rule its own name',
      'routing.rules[3].name is "fallback", the name decisions give routing.fallback: choose another',
    ]);
  });

  it('refuses a routing rule that earlier rules leave no registration to, naming them; partial overlaps and gaps are fine', () => {
    const chain = {
      firstApprover: 'channel-manager',
      escalationApprover: 'partner-director',
      secondLevelApprover: 'vp-sales',
    };
    const regions = { dach: ['DE', 'AT', 'CH'], nordics: ['SE', 'NO'], latam: [] };
    expect(
      problemsOf({
        regions,
        routing: {
          rules: [
            { name: 'From 100k', minAmountUsd: 100_000, ...chain },
            { name: 'Below 100k', maxAmountUsd: 1e5, ...chain },
            { name: 'DACH on AWS', regions: ['dach'], cloudMarketplaces: ['aws'], ...chain },
            { name: 'LATAM', regions: ['latam'], ...chain },
          ],
        },
      }),
    ).toEqual([
      'routing.rules[2] ("DACH on AWS") can never route a registration: routing.rules[0] ("From 100k") and routing.rules[1] ("Below 100k") come first and match every registration it would (the first rule that matches routes); move it above them, or narrow them',
      'routing.rules[3] ("LATAM") can never route a registration: every region it names lists no country; add countries to them or name other regions',
    ]);
    // Overlapping rules that each still route something, and amounts no rule covers (the fallback's).
    expect(
      problemsOf({
        regions,
        routing: {
          rules: [
            { name: 'DACH on AWS', regions: ['dach'], cloudMarketplaces: ['aws'], ...chain },
            { name: 'DACH and Nordics', regions: ['dach', 'nordics'], maxAmountUsd: 50_000, ...chain },
            { name: 'Large Nordics', regions: ['nordics'], minAmountUsd: 250_000, ...chain },
          ],
        },
      }),
    ).toEqual([]);
  });

  it('reports a malformed setting without tripping the cross-setting checks', () => {
    expect(
      problemsOf({
        calendar: { workingHours: { start: '9:00' } },
        approvers: { 'Bad Key!': { name: 'X', email: 'x@example.com', timeZone: 'UTC' } },
      }),
    ).toEqual([
      'calendar.workingHours.start must be a time of day written HH:MM, 00:00 to 24:00, got "9:00"',
      'approvers.Bad Key! is not a valid name: use letters, digits and dashes, such as emea-channel-manager',
    ]);
  });

  it('lets a relationship type change one term and keep the others', () => {
    const { policy } = loadPolicy({ relationshipTypes: { sourced: { partnerPercent: 30 } } });
    expect(policy.relationshipTypes.sourced).toEqual({
      label: 'Partner-sourced',
      description: 'The partner found the opportunity and brought it to us first.',
      partnerCompensation: 'margin',
      partnerPercent: 30,
      directRepCreditPercent: 50,
    });
  });

  it('refuses co-sell that submits to AWS without one of the partner’s solutions, and a solution id AWS does not take', () => {
    expect(policyProblems({ coSell: { enabled: true } })).toEqual([
      "coSell.solutions must list at least one of the partner's solutions (S-… ids from the Build section of Partner Central, or AWS Marketplace solution ARNs): AWS submits no opportunity without one. Or set submitToAws to false to leave opportunities in Partner Central",
    ]);
    expect(policyProblems({ coSell: { enabled: true, submitToAws: false } })).toEqual([]);
    expect(policyProblems({ coSell: { enabled: true, solutions: ['S-0012345'] } })).toEqual([]);
    expect(
      policyProblems({
        coSell: {
          enabled: true,
          solutions: ['arn:aws:aws-marketplace:us-east-1:123456789012:AWSMarketplace/Solution/sol-1'],
        },
      }),
    ).toEqual([]);
    expect(policyProblems({ coSell: { enabled: true, solutions: ['Dealreg Platform'] } })).toEqual([
      'coSell.solutions[0] must be a Partner Solution id such as S-0012345 or an AWS Marketplace solution ARN (arn:aws:aws-marketplace:…), got "Dealreg Platform"',
    ]);
    expect(
      policyProblems({ coSell: { solutions: Array.from({ length: 11 }, (_, index) => `S-${index + 1}`) } }),
    ).toEqual(['coSell.solutions must list at most 10 solutions: AWS takes no more on an opportunity']);
  });

  it('throws one error whose message lists every problem', () => {
    expect(() => loadPolicy({ sla: { reminderHours: -3, finalHours: 0 } })).toThrow(
      'The policy is not valid:\n- sla.reminderHours must be a positive number of business hours, got -3\n- sla.finalHours must be a positive number of business hours, got 0',
    );
  });
});

describe('policyVersion', () => {
  it('does not change when keys are reordered or defaults are written out', () => {
    const written = JSON.parse(examplePolicyText) as unknown;
    expect(loadPolicy(reverseKeys(written)).policyVersion).toBe(loadPolicy(written).policyVersion);
    const spelledOut = loadPolicy({}).policy;
    expect(loadPolicy(JSON.parse(JSON.stringify(spelledOut))).policyVersion).toBe(
      loadPolicy({}).policyVersion,
    );
  });

  it('does not change when the days, holidays, countries or types of a list are written in another order', () => {
    const approvers = {
      firstApprover: 'channel-manager',
      escalationApprover: 'partner-director',
      secondLevelApprover: 'vp-sales',
    };
    const written = (reversed: boolean) => {
      const order = <T>(values: T[]): T[] => (reversed ? [...values].reverse() : values);
      return {
        calendar: {
          workingDays: order(['sunday', 'monday', 'tuesday', 'wednesday', 'thursday']),
          holidays: order(['2026-03-20', '2026-12-25']),
        },
        regions: { gulf: order(['AE', 'SA', 'QA']), emea: order(['DE', 'FR']) },
        routing: {
          rules: [
            {
              name: 'Gulf',
              regions: order(['gulf', 'emea']),
              cloudMarketplaces: order(['aws', 'azure']),
              ...approvers,
            },
          ],
        },
        conflicts: { directActivity: { channelTeam: order(['Pat@Example.com', 'ali@example.com']) } },
        definitions: {
          partnerSourced: { relationshipTypes: order(['sourced', 'referral']) },
          croView: { partnerValues: order(['Partner', 'Marketplace']) },
        },
        coSell: {
          marketplaces: order(['aws', 'azure']),
          relationshipTypes: order(['sourced', 'referral']),
          solutions: order(['S-0000002', 'S-0000001']),
          fundingCampaigns: {
            c1: { name: 'Q1', awsFundingUsed: 'No', channels: order(['Email', 'Display']) },
          },
        },
      };
    };
    const one = loadPolicy(written(false));
    const other = loadPolicy(written(true));
    expect(other.policyVersion).toBe(one.policyVersion);
    expect(other.policy).toEqual(one.policy);
    // The working days read in week order, whatever the file says.
    expect(one.policy.calendar.workingDays).toEqual(['monday', 'tuesday', 'wednesday', 'thursday', 'sunday']);
    // An address compared without regard to case is one person however it is written.
    expect(
      loadPolicy({ conflicts: { directActivity: { channelTeam: ['pat@example.com', 'ali@example.com'] } } })
        .policyVersion,
    ).toBe(
      loadPolicy({ conflicts: { directActivity: { channelTeam: ['Ali@Example.com', 'PAT@example.com'] } } })
        .policyVersion,
    );
  });

  it('reads a text typed with combining accents as the same text typed with accented letters', () => {
    const composed = loadPolicy('{"programName": "Z\\u00fcrich partners"}');
    const decomposed = loadPolicy('{"programName": "Zu\\u0308rich partners"}');
    expect(decomposed.policy.programName).toBe('Zürich partners'.normalize('NFC'));
    expect(decomposed.policyVersion).toBe(composed.policyVersion);
    const rule = (name: string, cloudMarketplace: string) => ({
      name,
      cloudMarketplaces: [cloudMarketplace],
      firstApprover: 'channel-manager',
      escalationApprover: 'partner-director',
      secondLevelApprover: 'vp-sales',
    });
    // Two rules whose names look the same are one name, which decisions could not tell apart.
    expect(
      problemsOf({ routing: { rules: [rule('Z\u00fcrich', 'aws'), rule('Zu\u0308rich', 'azure')] } }),
    ).toEqual([
      'routing.rules[1].name is "Zürich", already the name of routing.rules[0]: give each rule its own name',
    ]);
  });

  it('changes when the order of the routing rules changes: the first rule that matches routes', () => {
    const rule = (name: string, conditions: { regions?: string[]; minAmountUsd?: number }) => ({
      name,
      ...conditions,
      firstApprover: 'channel-manager',
      escalationApprover: 'partner-director',
      secondLevelApprover: 'vp-sales',
    });
    // Both orders route something to each rule; a large EMEA deal goes to whichever comes first.
    const rules = [rule('EMEA', { regions: ['emea'] }), rule('Large deals', { minAmountUsd: 100_000 })];
    expect(loadPolicy({ routing: { rules } }).policyVersion).not.toBe(
      loadPolicy({ routing: { rules: [...rules].reverse() } }).policyVersion,
    );
  });

  it('changes when any setting changes', () => {
    const base = loadPolicy(examplePolicyText);
    type Edit = (policy: Record<string, Record<string, unknown>>) => void;
    const edits: readonly Edit[] = [
      (p) => Object.assign(p, { sla: { ...p.sla, reminderHours: 9 } }),
      (p) => Object.assign(p, { calendar: { ...p.calendar, holidays: ['2026-01-02'] } }),
      (p) => Object.assign(p, { thresholds: { ...p.thresholds, autoApproveBelowUsd: 10_001 } }),
      (p) => Object.assign(p, { validity: { ...p.validity, maxExtensions: 0 } }),
      (p) => Object.assign(p, { formFieldMapping: { campaignId: 'utm_campaign' } }),
      (p) => Object.assign(p, { programName: 'Northwind Partner Program' }),
    ];
    for (const edit of edits) {
      const edited = JSON.parse(examplePolicyText) as Record<string, Record<string, unknown>>;
      edit(edited);
      expect(loadPolicy(edited).policyVersion).not.toBe(base.policyVersion);
    }
  });

  it('changes when any text of the rules of engagement changes', () => {
    const full = loadPolicy({}).policy;
    const textPaths: string[][] = [];
    const collect = (value: unknown, path: string[]) => {
      if (
        typeof value === 'string' &&
        ['name', 'label', 'description', 'programName'].includes(path.at(-1) ?? '')
      ) {
        textPaths.push(path);
      } else if (value !== null && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) collect(inner, [...path, key]);
      }
    };
    collect(full, []);
    expect(textPaths.length).toBeGreaterThan(10);
    const baseVersion = loadPolicy({}).policyVersion;
    fc.assert(
      fc.property(
        fc.constantFrom(...textPaths),
        fc.string({ minLength: 1, maxLength: 40 }).filter((text) => text.trim() !== ''),
        (path, text) => {
          const edited = JSON.parse(JSON.stringify(full)) as Record<string, unknown>;
          let holder: Record<string, unknown> = edited;
          for (const key of path.slice(0, -1)) holder = holder[key] as Record<string, unknown>;
          const last = path.at(-1) ?? '';
          fc.pre(holder[last] !== text.trim());
          holder[last] = text;
          expect(loadPolicy(edited).policyVersion).not.toBe(baseVersion);
        },
      ),
    );
  });
});
