import { describe, expect, it } from 'vitest';
import {
  CONSENT_PURPOSES,
  CONSENT_TEXTS,
  type ConsentChoice,
  type ConsentState,
  currentConsents,
  hasConsent,
  planConsentChanges,
  planSignupConsents,
} from '../../../shared/onboarding/consent.js';

const v = (p: keyof typeof CONSENT_TEXTS) => CONSENT_TEXTS[p].version;
const choice = (purpose: ConsentChoice['purpose'], granted: boolean, version = v(purpose)): ConsentChoice => ({
  purpose,
  granted,
  version,
});
const at = (iso: string) => new Date(iso);

describe('consent at sign-up', () => {
  it('records one answer per purpose when the service consent is given', () => {
    const plan = planSignupConsents([choice('marketing', false), choice('service', true), choice('health_data', true)]);
    expect(plan).toEqual({
      ok: true,
      value: [choice('service', true), choice('marketing', false), choice('health_data', true)],
    });
  });

  it.each([
    [
      'service declined',
      [choice('service', false), choice('marketing', true), choice('health_data', true)],
      'CONSENT_REQUIRED',
    ],
    ['a purpose unanswered', [choice('service', true), choice('marketing', true)], 'VALIDATION_FAILED'],
    [
      'a purpose answered twice',
      [choice('service', true), choice('service', true), choice('marketing', true), choice('health_data', false)],
      'VALIDATION_FAILED',
    ],
    [
      'an old wording',
      [choice('service', true, '2020-01'), choice('marketing', false), choice('health_data', false)],
      'CONSENT_VERSION_STALE',
    ],
  ])('refuses %s', (_name, choices, code) => {
    expect(planSignupConsents(choices)).toMatchObject({ ok: false, code });
  });

  it('texts are plain Chinese, health data is separate and optional, only service is required', () => {
    expect(CONSENT_PURPOSES.filter((p) => CONSENT_TEXTS[p].required)).toEqual(['service']);
    expect(CONSENT_TEXTS.health_data.title).toContain('单独同意');
    for (const p of CONSENT_PURPOSES) expect(CONSENT_TEXTS[p].body).toMatch(/[\u4e00-\u9fa5]/);
  });
});

describe('consent changes in the settings', () => {
  const current: ConsentState[] = [
    { purpose: 'service', granted: true, version: v('service'), at: at('2026-11-01T00:00:00Z') },
    { purpose: 'marketing', granted: false, version: v('marketing'), at: at('2026-11-01T00:00:00Z') },
    { purpose: 'health_data', granted: true, version: v('health_data'), at: at('2026-11-01T00:00:00Z') },
  ];

  it('appends only what changed', () => {
    expect(planConsentChanges(current, [choice('marketing', true), choice('health_data', true)])).toEqual({
      ok: true,
      value: [choice('marketing', true)],
    });
  });

  it('records the same answer again when the wording changed since', () => {
    const old = current.map((c) => (c.purpose === 'health_data' ? { ...c, version: '2025-01-v1' } : c));
    expect(planConsentChanges(old, [choice('health_data', true)])).toEqual({
      ok: true,
      value: [choice('health_data', true)],
    });
  });

  it('does not let the service consent be withdrawn here, nor an empty or stale change', () => {
    expect(planConsentChanges(current, [choice('service', false)])).toMatchObject({ code: 'CONSENT_REQUIRED' });
    expect(planConsentChanges(current, [])).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(planConsentChanges(current, [choice('marketing', true, 'old')])).toMatchObject({
      code: 'CONSENT_VERSION_STALE',
    });
  });

  it('takes the latest record per purpose, and never assumes a consent without one', () => {
    const history: ConsentState[] = [
      { purpose: 'health_data', granted: true, version: 'x', at: at('2026-11-01T00:00:00Z') },
      { purpose: 'health_data', granted: false, version: 'x', at: at('2026-11-03T00:00:00Z') },
      { purpose: 'marketing', granted: true, version: 'x', at: at('2026-11-02T00:00:00Z') },
    ];
    expect(currentConsents(history).map((c) => [c.purpose, c.granted])).toEqual([
      ['marketing', true],
      ['health_data', false],
    ]);
    expect(hasConsent(history, 'health_data')).toBe(false);
    expect(hasConsent(history, 'marketing')).toBe(true);
    expect(hasConsent(history, 'service')).toBe(false);
  });
});
