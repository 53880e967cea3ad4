/**
 * The one way to write the audit log (PIPL: every staff read of a member's record and every sensitive
 * change is recorded with who, what, whom, why, where and the request). The table refuses UPDATE/DELETE.
 */
import type { Db, Tx } from '../adapters/db/client.js';
import { auditLog } from '../adapters/db/schema.js';

export interface AuditEntry {
  actorKind: 'staff' | 'member' | 'pos' | 'system';
  actorId: string;
  action: string;
  customerId?: string | null;
  storeId?: string | null;
  reason?: string | null;
  requestId?: string | null;
  details?: Record<string, unknown> | null;
  at: Date;
}

export async function recordAudit(db: Db | Tx, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    at: entry.at,
    actorKind: entry.actorKind,
    actorId: entry.actorId,
    action: entry.action,
    customerId: entry.customerId ?? null,
    storeId: entry.storeId ?? null,
    reason: entry.reason ?? null,
    requestId: entry.requestId ?? null,
    details: entry.details ?? null,
  });
}
