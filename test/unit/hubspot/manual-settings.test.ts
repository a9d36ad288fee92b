import { describe, expect, it } from 'vitest';
import { manualSettings } from '#use-cases/setup-hubspot-portal.ts';

describe('the settings dealreg hubspot setup prints to make by hand', () => {
  it('uploads the app with a HubSpot CLI command npx can run', () => {
    const lines = manualSettings('https://api.example.org/prod', 'prod');

    // @hubspot/cli has two commands (hs, hscms), none named after the package: npx needs -p and
    // the command's name ("npm exec", npm Docs), or it stops with "could not determine executable
    // to run".
    expect(lines).toContain(
      '  upload:  cd dist/hubspot-project && npx -p @hubspot/cli hs project upload; then install the app in the portal',
    );
    expect(lines.join('\n')).not.toMatch(/npx @hubspot\/cli /);
  });
});
