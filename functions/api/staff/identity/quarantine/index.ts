import { QuarantineQuery, QuarantineResponse } from '../../../../../shared/contracts/identity.js';
import { quarantineList } from '../../../../app/identity/quarantine.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/** 隔离的异常数据: open quarantined records and orders, newest first, with the reason (HQ; each page audited). */
export default endpoint(
  { method: 'GET', auth: 'staff', action: 'identity.quarantine_read', query: QuarantineQuery },
  async ({ deps, actor, query, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await quarantineList(deps, actor, query, requestId), QuarantineResponse);
  },
);
