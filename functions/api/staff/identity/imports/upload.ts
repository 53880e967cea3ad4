import { IMPORT_LIMITS, ImportUploadBody, ImportView } from '../../../../../shared/contracts/identity.js';
import { uploadImport } from '../../../../app/identity/upload-import.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/**
 * Imports an uploaded POS or mall export (HQ; audited): member records with per-record linking, or orders. The same
 * content with the same format is imported once; its summary comes back (`repeated`).
 */
export default endpoint(
  {
    method: 'POST',
    auth: 'staff',
    action: 'identity.import',
    body: ImportUploadBody,
    // the text as a JSON string: escaped quotes and line ends make it somewhat larger than the file
    maxBodyBytes: Math.ceil(IMPORT_LIMITS.bytes * 1.25),
  },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await uploadImport(deps, actor, body, requestId), ImportView);
  },
);
