import { z } from 'zod';
import { endpoint, json } from '../../http/endpoint.js';

const PartnerPingResponse = z.object({
  keyId: z.string(),
  source: z.enum(['pos', 'mall', 'wecom']),
  storeId: z.string().nullable(),
  serverTime: z.string(),
});

/**
 * Lets a POS or mall integrator check their request signing before sending real traffic: a signed POST
 * (any JSON body, which is covered by the signature) answers with the key's identity and the server time.
 */
export default endpoint(
  { method: 'POST', auth: 'partner', action: 'partner.ping', body: z.unknown() },
  async ({ actor, deps }) => {
    if (actor.kind !== 'partner') throw new Error('partner endpoint reached without a partner actor');
    return json(200, PartnerPingResponse, {
      keyId: actor.keyId,
      source: actor.source,
      storeId: actor.storeId,
      serverTime: deps.clock.now().toISOString(),
    });
  },
);
