import { describe, expect, it } from 'vitest';
import { apiUrlOutputKey } from '#domain/deployment.ts';
import { apiUrlFromStackOutputs, apiUrlProblem, deployedAppUrls } from '#domain/hubspot-app/app-project.ts';

describe('the API URL the HubSpot app is built for', () => {
  it('accepts a public HTTPS URL, and plain HTTP on this machine only for the local stack', () => {
    expect(
      apiUrlProblem('https://abc123.execute-api.eu-west-1.amazonaws.com/prod/', { allowLocalHttp: false }),
    ).toBe(undefined);
    expect(apiUrlProblem('http://127.0.0.1:4510', { allowLocalHttp: true })).toBe(undefined);
    expect(apiUrlProblem('http://127.0.0.1:4510', { allowLocalHttp: false })).toMatch(
      /is this machine: HubSpot delivers webhooks only to a public HTTPS URL/,
    );
    expect(apiUrlProblem('http://dealreg.example.com', { allowLocalHttp: true })).toMatch(
      /is not an HTTPS URL/,
    );
    expect(apiUrlProblem('dealreg.example.com', { allowLocalHttp: false })).toMatch(/is not a URL/);
  });

  it('refuses a URL with a query, a fragment or credentials, which the endpoint paths cannot follow', () => {
    const options = { allowLocalHttp: false };
    expect(apiUrlProblem('https://api.example.net/prod?stage=1', options)).toMatch(
      /has a query \(\?stage=1\); pass the API's base URL alone/,
    );
    expect(apiUrlProblem('https://api.example.net/prod#top', options)).toMatch(/has a fragment \(#top\)/);
    expect(apiUrlProblem('https://user:secret@api.example.net/prod', options)).toMatch(
      /has a user name or password in it/,
    );
    expect(apiUrlProblem('https://user:secret@api.example.net/prod', options)).not.toMatch(/secret/);
  });

  it('puts the CRM-events endpoint under the API, with or without its trailing slash', () => {
    expect(deployedAppUrls('https://api.example.net/prod/')).toEqual({
      apiBase: 'https://api.example.net/prod',
      crmEventsUrl: 'https://api.example.net/prod/hubspot/crm-events',
    });
  });

  it("reads the stack's ApiUrl output, or derives it from an older stack's CRM-events webhook output", () => {
    const key = apiUrlOutputKey;

    expect(apiUrlFromStackOutputs({ [key]: 'https://new.example.net/prod/' }, key)).toBe(
      'https://new.example.net/prod/',
    );
    expect(
      apiUrlFromStackOutputs(
        { CrmEventsWebhookUrl9F8E7D6C: 'https://old.example.net/prod/hubspot/crm-events' },
        key,
      ),
    ).toBe('https://old.example.net/prod/');
    expect(apiUrlFromStackOutputs({ MailFrom: 'deals@example.com' }, key)).toBe(undefined);
  });
});
