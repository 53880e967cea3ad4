/**
 * 注销会员 at the store: a customer without the mini-program (a POS card holder), or one who cannot use it, asks at
 * the store to have their data deleted (PIPL art. 47 is everyone's right, not only the mini-program's users). A store
 * manager checks their ID card, finds them by phone (a family phone lists each person on it, masked, with what tells
 * them apart), and closes that one account: the same erasure as the member's own (close-account.ts), audited under
 * the manager with the reason. Within the manager's scope only; outside it a customer is "not found", as everywhere.
 */
import type { StaffActor } from '../../../shared/access/policy.js';
import type {
  CloseAccountResponse,
  StaffClosableResponse,
  StaffCloseBody,
} from '../../../shared/contracts/onboarding.js';
import { type ErrorCode, fail, ok, type Result } from '../../../shared/errors.js';
import { maskName } from '../../../shared/identity/name.js';
import { maskPhone, normalizePhone } from '../../../shared/identity/phone.js';
import { closableOnPhone } from '../../adapters/db/repos/account-close.repo.js';
import { recordAudit } from '../audit.js';
import type { Deps } from '../deps.js';
import { closeCustomer } from './close-account.js';
import { customersInScope } from './member-scope.js';

/** A family phone is a handful of people; more is a shared or placeholder number, which the page says. */
const MAX_ON_PHONE = 10;

export const STAFF_CLOSE_REASON = '本人到店申请注销，已核对身份证件';

export async function listClosable(
  deps: Deps,
  actor: StaffActor,
  phone: string,
  requestId: string,
): Promise<Result<StaffClosableResponse, ErrorCode>> {
  const parsed = normalizePhone(phone);
  if (!parsed.ok) return fail('PHONE_NOT_MOBILE', 'enter the customer’s 11-digit mobile number');
  const db = deps.database.db;
  const now = deps.clock.now();
  const found = await closableOnPhone(db, parsed.canonical, now, MAX_ON_PHONE);
  const allowed = await customersInScope(
    db,
    actor,
    'member.staff_close',
    found.map((r) => r.customer_id),
  );
  const members = found
    .filter((r) => allowed.has(r.customer_id))
    .map((r) => ({
      customerId: r.customer_id,
      nameMasked: maskName(r.real_name ?? r.display_name),
      homeStoreName: r.home_store,
      registered: r.registered_at !== null,
      posCards: r.pos_cards,
      mallAccounts: r.mall_accounts,
      wecomContacts: r.wecom_contacts,
      points: Math.max(r.points, 0),
      coupons: r.coupons,
      lastActive: r.last_active,
    }));
  await recordAudit(db, {
    actorKind: 'staff',
    actorId: actor.staffId,
    action: 'member.closable_lookup',
    storeId: actor.storeId,
    reason: 'account closure at the store',
    requestId,
    at: now,
    details: { phone: maskPhone(parsed.canonical), customers: members.map((m) => m.customerId) },
  });
  return ok({ phoneMasked: maskPhone(parsed.canonical), scope: lookupScope(actor), members });
}

/** The stores customersInScope let the caller see (staffCovers): their store, their region, or all of them (HQ). */
function lookupScope(actor: StaffActor): StaffClosableResponse['scope'] {
  if (actor.role === 'hq_admin') return 'chain';
  return actor.role === 'regional_manager' ? 'region' : 'store';
}

export async function staffCloseMember(
  deps: Deps,
  actor: StaffActor,
  body: StaffCloseBody,
  requestId: string,
): Promise<Result<CloseAccountResponse, ErrorCode>> {
  const allowed = await customersInScope(deps.database.db, actor, 'member.staff_close', [body.customerId]);
  if (!allowed.has(body.customerId)) return fail('MEMBER_NOT_FOUND', 'no such member in your stores');
  const closed = await closeCustomer(deps, body.customerId, {
    actorKind: 'staff',
    actorId: actor.staffId,
    identityId: null,
    requestId,
    reason: STAFF_CLOSE_REASON,
  });
  // closed already (a second tap, another manager) or merged meanwhile: there is no such account to close any more
  return closed ?? fail('MEMBER_NOT_FOUND', 'the account is closed or merged already');
}
