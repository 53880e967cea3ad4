/**
 * JSON bodies are UTF-8. A QA walk sent a till's record in GBK (what much Chinese POS software writes), declared as
 * `charset=gbk`: the server decoded it as UTF-8, stored 张三丰 as U+FFFD characters and answered 200. A declared
 * charset other than UTF-8, or bytes that are not UTF-8, are now a 400 with their own code, and nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNER_KEYS } from '../../../dev/demo/fixtures.js';
import { partnerHeaders } from '../../../functions/adapters/auth/partner-signature.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const PATH = '/api/ingest/records';
const key = DEMO_PARTNER_KEYS.find((k) => k.id === 'key_pos_hz001');

/** `{"records":[{"sourceId":"<id>","name":"张三丰"}]}` with the name in the given bytes */
function body(sourceId: string, name: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from(`{"records":[{"sourceId":"${sourceId}","name":"`), name, Buffer.from('"}]}')]);
}
const GBK_NAME = Buffer.from('d5c5c8fdb7e1', 'hex'); // 张三丰 in GBK

function send(raw: Uint8Array, contentType: string) {
  if (!key) throw new Error('no demo key');
  const headers = partnerHeaders({
    keyId: key.id,
    secret: key.secret,
    method: 'POST',
    path: PATH,
    body: raw,
    now: sys.clock.now(),
  });
  return sys.call(PATH, { raw, headers: { ...headers, 'content-type': contentType } });
}

const stored = async (sourceId: string) =>
  sys.database.exec(`select name from source_records where source_id = $1`, [sourceId]);

describe('a body that is not UTF-8', () => {
  it.each([
    ['declared GBK', 'GBK-1', 'application/json; charset=gbk'],
    ['GBK bytes declared as UTF-8', 'GBK-2', 'application/json; charset=utf-8'],
    ['GBK bytes without a charset', 'GBK-3', 'application/json'],
  ])('%s: 400 BODY_NOT_UTF8, nothing stored', async (_, sourceId, contentType) => {
    const r = await send(body(sourceId, GBK_NAME), contentType);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.code).toBe('BODY_NOT_UTF8');
    expect(await stored(sourceId)).toEqual([]);
  });

  it('takes the same record in UTF-8, with or without a BOM and a charset', async () => {
    for (const [sourceId, contentType, bom] of [
      ['UTF-1', 'application/json; charset=UTF-8', false],
      ['UTF-2', 'application/json', true],
    ] as const) {
      const raw = body(sourceId, Buffer.from('张三丰'));
      const r = await send(bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), raw]) : raw, contentType);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(await stored(sourceId)).toEqual([{ name: '张三丰' }]);
    }
  });
});
