import { ImportContinueBody, ImportView } from '../../../../../shared/contracts/identity.js';
import { continueImport } from '../../../../app/identity/upload-import.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/**
 * The next step of an uploaded import (HQ): from the row the last step reached, until IMPORT_STEP_MS; the page asks
 * until the import is done. While another request runs a step, the import is answered as it stands.
 */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'identity.import', body: ImportContinueBody },
  async ({ deps, actor, body }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await continueImport(deps, body.id), ImportView);
  },
);
