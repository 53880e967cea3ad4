import { IMPORT_LIMITS, ImportMappingsResponse } from '../../../../../shared/contracts/identity.js';
import { mappingView } from '../../../../app/identity/import-formats.js';
import { listUploadMappings } from '../../../../app/identity/import-mappings.js';
import { endpoint, failure, json } from '../../../../http/endpoint.js';

/**
 * The file formats an upload may have (config/import-mappings, then those HQ made on the staff pages), with the
 * columns each reads, and the limits.
 */
export default endpoint({ method: 'GET', auth: 'staff', action: 'identity.import_list' }, async ({ deps, actor }) => {
  if (actor.kind !== 'staff') return failure('FORBIDDEN');
  return json(200, ImportMappingsResponse, {
    mappings: (await listUploadMappings(deps.database.db)).map(mappingView),
    limits: IMPORT_LIMITS,
  });
});
