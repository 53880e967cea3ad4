import { IngestRecordsBody, IngestRecordsResponse } from '../../../shared/contracts/identity.js';
import { ingestAndLog } from '../../app/identity/ingest.js';
import { endpoint, failure, json } from '../../http/endpoint.js';

/**
 * Customer records from a POS, the mall or WeCom, signed by the partner's key. Idempotent on (source, source_id):
 * a replay changes nothing. Each record is judged alone: malformed ones come back rejected with a reason (and are
 * quarantined) while the rest lands and links in the same transaction.
 */
export default endpoint(
  {
    method: 'POST',
    auth: 'partner',
    action: 'identity.ingest',
    body: IngestRecordsBody,
    itemsJudgedAlone: 'records',
    maxBodyBytes: 2 * 1024 * 1024,
    // the batch's own row has its counts (created, linked, rejected…)
    logsItself: true,
  },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'partner') return failure('FORBIDDEN');
    const summary = await ingestAndLog(deps.database, {
      source: actor.source,
      records: body.records,
      linking: 'incremental',
      keyId: actor.keyId,
      keyStoreId: actor.storeId,
      storeId: actor.storeId,
      requestId,
      operation: 'ingest.records',
      now: deps.clock.now(),
    });
    return json(200, IngestRecordsResponse, summary);
  },
);
