import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNER_KEYS } from '../../../dev/demo/fixtures.js';
import { partnerHeaders } from '../../../functions/adapters/auth/partner-signature.js';
import { codeOf, startTestSystem, type TestSystem } from '../../support/system.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const pos = DEMO_PARTNER_KEYS.find((k) => k.id === 'key_pos_hz001')!;

async function signedPost(body: string, opts: { secret?: string; keyId?: string; now?: Date; tamper?: string } = {}) {
  const headers = partnerHeaders({
    keyId: opts.keyId ?? pos.id,
    secret: opts.secret ?? pos.secret,
    method: 'POST',
    path: '/api/partner/ping',
    body,
    now: opts.now ?? sys.clock.now(),
  });
  return sys.call('/api/partner/ping', { raw: opts.tamper ?? body, headers });
}

describe('signed partner requests', () => {
  it('accepts a correctly signed request and names the key and store', async () => {
    const res = await signedPost('{"hello":"pos"}');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ keyId: 'key_pos_hz001', source: 'pos', storeId: 'sto_001' });
  });

  it('refuses a request without signature headers', async () => {
    expect(codeOf(await sys.call('/api/partner/ping', { body: {} }))).toEqual({
      status: 401,
      code: 'SIGNATURE_INVALID',
    });
  });

  it('refuses a forged signature (wrong secret)', async () => {
    expect(codeOf(await signedPost('{}', { secret: 'not-the-secret-0123456789abcdef0123456' }))).toEqual({
      status: 401,
      code: 'SIGNATURE_INVALID',
    });
  });

  it('refuses a body changed after signing', async () => {
    expect(codeOf(await signedPost('{"amount":100}', { tamper: '{"amount":1}' }))).toEqual({
      status: 401,
      code: 'SIGNATURE_INVALID',
    });
  });

  it('refuses a stale timestamp (replay after the 5-minute window)', async () => {
    const old = new Date(sys.clock.now().getTime() - 6 * 60 * 1000);
    expect(codeOf(await signedPost('{}', { now: old }))).toEqual({ status: 401, code: 'SIGNATURE_EXPIRED' });
  });

  it('refuses an unknown or revoked key', async () => {
    expect(codeOf(await signedPost('{}', { keyId: 'key_pos_nope' }))).toEqual({
      status: 401,
      code: 'SIGNATURE_INVALID',
    });
    await sys.database.exec("update partner_keys set revoked_at = now() where id = 'key_pos_hz002'");
    const revoked = DEMO_PARTNER_KEYS.find((k) => k.id === 'key_pos_hz002')!;
    expect(codeOf(await signedPost('{}', { keyId: revoked.id, secret: revoked.secret }))).toEqual({
      status: 401,
      code: 'SIGNATURE_INVALID',
    });
  });
});
