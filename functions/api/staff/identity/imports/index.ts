import { ImportListResponse } from '../../../../../shared/contracts/identity.js';
import { recentImports } from '../../../../app/identity/upload-import.js';
import { endpoint, failure, json } from '../../../../http/endpoint.js';

/** 会员资料导入: the last 20 uploads, newest first, each with its summary (HQ). */
export default endpoint({ method: 'GET', auth: 'staff', action: 'identity.import_list' }, async ({ deps, actor }) => {
  if (actor.kind !== 'staff') return failure('FORBIDDEN');
  return json(200, ImportListResponse, { imports: await recentImports(deps) });
});
