import { IMPORT_LIMITS, ImportMappingsResponse } from '../../../../../shared/contracts/identity.js';
import { mappingColumns, uploadMappings } from '../../../../app/identity/import-mappings.js';
import { endpoint, failure, json } from '../../../../http/endpoint.js';

/** The file formats an upload may have (config/import-mappings), with the columns each reads, and the limits. */
export default endpoint({ method: 'GET', auth: 'staff', action: 'identity.import_list' }, async ({ actor }) => {
  if (actor.kind !== 'staff') return failure('FORBIDDEN');
  return json(200, ImportMappingsResponse, {
    mappings: uploadMappings().map((m) => ({
      name: m.name,
      kind: m.kind,
      label: m.label,
      source: m.source,
      columns: mappingColumns(m),
    })),
    limits: IMPORT_LIMITS,
  });
});
