/** Every call out to WeChat lands in the integration log (HQ's health view), with no code or phone in it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPID } from '../../../dev/system.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { signUpAs, staffToken } from '../onboarding/helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

interface LogRow {
  operation: string;
  status: string;
  direction: string;
  error: string | null;
  latency_ms: number;
  summary: unknown;
}

const wechatLog = async (): Promise<LogRow[]> =>
  (await sys.database.exec(
    `select operation, status, direction, error, latency_ms, summary from integration_log where source = 'wechat' order by id`,
  )) as unknown as LogRow[];

describe('outbound WeChat calls in the integration log', () => {
  it('logs each call of a sign-up as ok, with its latency and nothing it carried', async () => {
    const before = (await wechatLog()).length;
    const { register } = await signUpAs(sys, 'u_zhangwei', 's1.HZ001');
    expect(register.status).toBe(200);
    const rows = (await wechatLog()).slice(before);
    expect(rows.map((r) => r.operation)).toEqual(['code2Session', 'getPhoneNumber']);
    for (const r of rows) {
      expect(r).toMatchObject({ status: 'ok', direction: 'outbound', error: null, summary: null });
      expect(r.latency_ms).toBeGreaterThanOrEqual(0);
    }
    const all = JSON.stringify(await sys.database.exec(`select * from integration_log where source = 'wechat'`));
    const phone = String(sys.sim.users().find((u) => u.id === 'u_zhangwei')?.phone);
    expect(phone).toMatch(/^1\d{10}$/);
    expect(all).not.toContain(phone);
  });

  it('logs a refused call as failed with WeChat’s errcode, and HQ sees the failure', async () => {
    sys.sim.setFault('/sns/jscode2session', { errcode: 45009, errmsg: 'api freq out of limit', times: 1 });
    const res = await sys.call('/api/auth/wx-login', { body: { code: sys.sim.issueLoginCode(DEMO_APPID, 'u_lina') } });
    expect(res.status).toBeGreaterThanOrEqual(500);
    const last = (await wechatLog()).at(-1);
    expect(last).toMatchObject({ operation: 'code2Session', status: 'failed', error: 'errcode 45009 (api)' });

    const token = await staffToken(sys, 'u_hq01');
    const health = await sys.call('/api/staff/identity/health', { token });
    expect(health.status).toBe(200);
    const wechat = health.body.sources.find((s: { source: string }) => s.source === 'wechat');
    expect(wechat).toMatchObject({ failures24h: 1, lastError: 'errcode 45009 (api)' });
  });
});
