import { ImportRefusedFile, ImportRefusedQuery } from '../../../../../shared/contracts/identity.js';
import { refusedRowsDownload } from '../../../../app/identity/upload-import.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/**
 * The refused rows of an uploaded import as a file (HQ): the upload's own columns and 拒收原因, to correct and upload
 * again with the same format. Audited: it holds members' names and phones.
 */
export default endpoint(
  { method: 'GET', auth: 'staff', action: 'identity.import_refused_download', query: ImportRefusedQuery },
  async ({ deps, actor, query, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await refusedRowsDownload(deps, actor, query.id, requestId), ImportRefusedFile);
  },
);
