import { describe, expect, it } from 'vitest';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import {
  ConfigurationError,
  formFieldMappingSetting,
  policySetting,
  readEnvironment,
  requiredSetting,
} from '#handlers/wiring/configuration.ts';

describe('function configuration', () => {
  const shape = { REGISTRATIONS_TABLE: requiredSetting, FORM_FIELD_MAPPING: formFieldMappingSetting };

  it('fails at cold start naming every missing or invalid variable', () => {
    expect(() => readEnvironment(shape, { FORM_FIELD_MAPPING: '{"customerDomain":' })).toThrow(
      ConfigurationError,
    );
    expect(() => readEnvironment(shape, { FORM_FIELD_MAPPING: '{"customerDomain":' })).toThrow(
      /REGISTRATIONS_TABLE: is not set; FORM_FIELD_MAPPING: is not valid JSON/,
    );
    expect(() => readEnvironment(shape, { REGISTRATIONS_TABLE: '  ' })).toThrow(
      /REGISTRATIONS_TABLE: is empty/,
    );
  });

  it('uses the default field mapping when none is configured', () => {
    const settings = readEnvironment(shape, { REGISTRATIONS_TABLE: 'Registrations' });
    expect(settings.FORM_FIELD_MAPPING.customerDomain).toBe('customer_domain');
  });

  it('applies a configured field mapping and refuses one that reads a form field twice', () => {
    const settings = readEnvironment(shape, {
      REGISTRATIONS_TABLE: 'Registrations',
      FORM_FIELD_MAPPING: '{"customerDomain":"company_website"}',
    });
    expect(settings.FORM_FIELD_MAPPING.customerDomain).toBe('company_website');
    expect(() =>
      readEnvironment(shape, { REGISTRATIONS_TABLE: 'R', FORM_FIELD_MAPPING: '{"customerDomain":"email"}' }),
    ).toThrow(/FORM_FIELD_MAPPING: customerDomain: form field "email" is already mapped to submitterEmail/);
  });

  it('starts only when the policy in its code is the version the stack deployed', () => {
    const deployed = JSON.stringify({ validity: { days: 120 } });
    const { policyVersion } = loadPolicy(deployed);
    const policyShape = { DEALREG_POLICY: policySetting };

    expect(
      readEnvironment(policyShape, { DEALREG_POLICY: deployed, DEALREG_POLICY_VERSION: policyVersion })
        .DEALREG_POLICY.policy.validity.days,
    ).toBe(120);
    expect(() =>
      readEnvironment(policyShape, { DEALREG_POLICY: '{}', DEALREG_POLICY_VERSION: policyVersion }),
    ).toThrow(
      new ConfigurationError(
        `the function is misconfigured — DEALREG_POLICY_VERSION: the stack deployed policy ${policyVersion}, ` +
          `but the function's code carries policy ${loadPolicy('{}').policyVersion}; deploy the stack again so both come from one policy file`,
      ),
    );
    // Outside a deployment (tests, the local stack) no version is declared.
    expect(readEnvironment(policyShape, { DEALREG_POLICY: '{}' }).DEALREG_POLICY.policyVersion).toBe(
      loadPolicy('{}').policyVersion,
    );
  });
});
