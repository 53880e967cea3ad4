/**
 * HQ's view of the quarantine: what a partner or a file sent that could not be taken in (a malformed record, an
 * order whose lines do not add up, a call for another store), with the reason, so the integration can be fixed at
 * its source. An item leaves the list when its source sends the same record or order again and it is taken in
 * (quarantineRepo.closeResent, from both ingests), or when HQ marks it handled (nothing to re-send). The list shows
 * ids and reasons, not the payload, and a resolved item's payload is deleted; each read is audited (card numbers
 * are personal identifiers).
 */
import type { StaffActor } from '../../../shared/access/policy.js';
import type { QuarantineQuery, QuarantineResponse } from '../../../shared/contracts/identity.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import { isRefusalCode, refusalText } from '../../../shared/identity/refusal.js';
import { quarantineRepo } from '../../adapters/db/repos/quarantine.repo.js';
import { recordAudit } from '../audit.js';
import type { Deps } from '../deps.js';
import { listCursor, parseListCursor } from './cursor.js';

/** the list's note on items that closed by themselves covers this many days */
export const RESENT_SHOWN_DAYS = 7;

export async function quarantineList(
  deps: Deps,
  actor: StaffActor,
  query: QuarantineQuery,
  requestId: string,
): Promise<Result<QuarantineResponse, 'VALIDATION_FAILED'>> {
  const before = parseListCursor(query.cursor);
  if (before === 'bad') return fail('VALIDATION_FAILED', 'cursor: not one this list handed out');
  const db = deps.database.db;
  const source = query.source ?? null;
  const found = await quarantineRepo.open(db, { source, before, limit: query.limit });
  const page = found.slice(0, query.limit);
  const last = page.at(-1);
  await recordAudit(db, {
    actorKind: 'staff',
    actorId: actor.staffId,
    action: 'identity.quarantine_read',
    requestId,
    details: { source, items: page.map((x) => x.id), cursor: query.cursor ?? null },
    at: deps.clock.now(),
  });
  return ok({
    items: page.map((x) => ({
      id: x.id,
      source: x.source,
      kind: x.kind,
      sourceId: x.source_id,
      code: x.code,
      explanation: x.code && isRefusalCode(x.code) ? refusalText({ code: x.code, params: x.params ?? {} }, 'zh') : null,
      reason: x.reason,
      keyId: x.key_id,
      senderStoreName: x.key_store_name,
      at: new Date(x.created_key).toISOString(),
    })),
    nextCursor: found.length > query.limit && last ? listCursor(last) : null,
    open: await quarantineRepo.countOpen(db, source),
    resentLastWeek: await quarantineRepo.countResent(
      db,
      source,
      new Date(deps.clock.now().getTime() - RESENT_SHOWN_DAYS * 86_400_000),
    ),
  });
}

export async function resolveQuarantined(
  deps: Deps,
  actor: StaffActor,
  id: string,
  requestId: string,
): Promise<Result<{ id: string; resolvedAt: string }, 'NOT_FOUND'>> {
  const db = deps.database.db;
  return db.transaction(async (tx) => {
    const r = await quarantineRepo.resolve(tx, id, actor.staffId, deps.clock.now());
    if (!r) return fail('NOT_FOUND', `no quarantined item ${id}`);
    await recordAudit(tx, {
      actorKind: 'staff',
      actorId: actor.staffId,
      action: 'identity.quarantine_resolve',
      requestId,
      details: { id },
      at: deps.clock.now(),
    });
    return ok({ id: r.id, resolvedAt: new Date(r.resolved_at).toISOString() });
  });
}
