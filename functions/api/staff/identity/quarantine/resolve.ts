import { QuarantineResolveBody, QuarantineResolveResponse } from '../../../../../shared/contracts/identity.js';
import { resolveQuarantined } from '../../../../app/identity/quarantine.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/** Marks a quarantined item handled (HQ; audited); it leaves the list and the health page's count. */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'identity.quarantine_resolve', body: QuarantineResolveBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await resolveQuarantined(deps, actor, body.id, requestId), QuarantineResolveResponse);
  },
);
