import { ImportFormatPreviewBody, ImportFormatPreviewResponse } from '../../../../../shared/contracts/identity.js';
import { previewFormat } from '../../../../app/identity/import-formats.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/**
 * 新建导入格式: a sample file's columns, the mapping they suggest (or the one given) and its first records or orders
 * as the import would take or refuse them (HQ). Nothing is stored.
 */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'identity.import_format_manage', body: ImportFormatPreviewBody },
  async ({ deps, actor, body }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await previewFormat(deps, body), ImportFormatPreviewResponse);
  },
);
