import { ImportFormatCreateBody, ImportMappingView } from '../../../../../shared/contracts/identity.js';
import { createFormat } from '../../../../app/identity/import-formats.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/** Saves an upload format HQ made from a sample file (audited); it is offered on 数据导入 from now on. */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'identity.import_format_manage', body: ImportFormatCreateBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await createFormat(deps, actor, body, requestId), ImportMappingView, 201);
  },
);
