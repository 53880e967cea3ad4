/**
 * The redemption bench's database floor (dev/bench/server-child.ts): a handler outside functions/api that the bench's
 * server mounts at an exact path. It must do one real database round trip through the endpoint wrapper, and it must
 * not exist in the system `npm start` runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLOOR_PATH, floorHandler } from '../../../dev/bench/server-child.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';

describe('the bench floor route', () => {
  let bench: TestSystem;
  let product: TestSystem;
  beforeAll(async () => {
    bench = await startTestSystem({ extraRoutes: { [FLOOR_PATH]: floorHandler } });
    product = await startTestSystem();
  });
  afterAll(async () => {
    await bench?.close();
    await product?.close();
  });

  it('answers from the database through the wrapper', async () => {
    const res = await bench.call(FLOOR_PATH);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ one: 1 });
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('is refused with the wrapper error body for another method', async () => {
    const res = await bench.call(FLOOR_PATH, { method: 'POST', body: {} });
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('leaves every functions/api route as it was', async () => {
    const res = await bench.call('/api/ping');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ pong: true });
  });

  it('is not part of the system npm start runs', async () => {
    const res = await product.call(FLOOR_PATH);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});
