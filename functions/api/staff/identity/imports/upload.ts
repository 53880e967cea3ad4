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
    // a GBK file's bytes in base64 (4 characters per 3 bytes, ~4.4 MB), the largest of the two forms: a UTF-8 file's
    // text as a JSON string is at most a quarter larger than the file (escaped quotes and line ends)
    maxBodyBytes: Math.ceil(IMPORT_LIMITS.bytes / 3) * 4 + 16_384,
  },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await uploadImport(deps, actor, body, requestId), ImportView);
  },
);
