import { ImportFormatArchiveBody, ImportFormatArchiveResponse } from '../../../../../shared/contracts/identity.js';
import { archiveFormat } from '../../../../app/identity/import-formats.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/** Stops offering an upload format HQ made (audited); the imports that used it keep reading it. */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'identity.import_format_manage', body: ImportFormatArchiveBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await archiveFormat(deps, actor, body.name, requestId), ImportFormatArchiveResponse);
  },
);
