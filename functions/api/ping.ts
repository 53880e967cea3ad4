import { z } from 'zod';
import { endpoint, json } from '../http/endpoint.js';

const PingResponse = z.object({ pong: z.literal(true) });

/** The cheapest handler through the full wrapper: the baseline every benchmark compares with. */
export default endpoint({ method: 'GET', auth: 'none', action: 'system.ping' }, async () =>
  json(200, PingResponse, { pong: true }),
);
