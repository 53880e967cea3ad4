import type { StaffLoginResponse, StaffProfile } from '../../../shared/contracts/auth.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import { createMemberRepo } from '../../adapters/db/repos/member.repo.js';
import { createStaffRepo, type StaffRecord } from '../../adapters/db/repos/staff.repo.js';
import { recordAudit } from '../audit.js';
import type { Deps } from '../deps.js';
import { exchangePhoneCode, type PhoneExchangeError } from '../onboarding/phone-exchange.js';
import { wechatFailure } from './wechat-failure.js';

export function toStaffProfile(record: StaffRecord): StaffProfile {
  return {
    staffId: record.id,
    name: record.name,
    role: record.role,
    store: record.storeId && record.storeName ? { id: record.storeId, name: record.storeName } : null,
    region: record.regionId && record.regionName ? { id: record.regionId, name: record.regionName } : null,
  };
}

async function session(deps: Deps, record: StaffRecord): Promise<StaffLoginResponse> {
  const tokens = await deps.tokens.issuePair({ aud: 'staff', sub: record.id, ver: record.tokenVersion });
  return { ...tokens, staff: toStaffProfile(record) };
}

/** A staff member whose WeChat is already bound logs in with the wx.login code alone. */
export async function staffLogin(
  deps: Deps,
  code: string,
): Promise<Result<StaffLoginResponse, 'STAFF_NOT_BOUND' | 'STAFF_DISABLED'>> {
  const wx = await deps.wechat.code2Session(code).catch((e) => wechatFailure(e, 'WX_CODE_INVALID'));
  const record = await createStaffRepo(deps.database.db).findByOpenid(wx.openid);
  if (!record) return fail('STAFF_NOT_BOUND', 'this WeChat user is not bound to a staff record; verify your phone');
  if (record.status === 'disabled') return fail('STAFF_DISABLED', `staff ${record.id} is disabled`);
  return ok(await session(deps, record));
}

/**
 * First login: the staff member proves the phone a manager invited with WeChat's phone code, which binds
 * this WeChat user to the record. A record already bound to another WeChat user is not taken over.
 *
 * The code is exchanged as at sign-up (`exchangePhoneCode`), under the WeChat login's identity: once per code (a
 * retry is answered from the first exchange, free), counted, and at most PHONE_CODES_PER_HOUR new codes an hour. The
 * route takes anyone with a WeChat login, and each exchange is a call WeChat bills the chain for: a security walk
 * looped it anonymously, every call billed and none counted.
 */
export async function staffBind(
  deps: Deps,
  input: { code: string; phoneCode: string; requestId: string },
): Promise<Result<StaffLoginResponse, 'PHONE_NOT_INVITED' | 'STAFF_DISABLED' | 'FORBIDDEN' | PhoneExchangeError>> {
  const wx = await deps.wechat.code2Session(input.code).catch((e) => wechatFailure(e, 'WX_CODE_INVALID'));
  const login = await createMemberRepo(deps.database.db).upsertWeChatLogin(wx.openid, wx.unionid, deps.clock.now());
  const exchanged = await exchangePhoneCode(deps, { identityId: login.identityId, phoneCode: input.phoneCode });
  if (!exchanged.ok) {
    return exchanged.code === 'PHONE_NOT_MOBILE'
      ? fail('PHONE_NOT_INVITED', 'WeChat returned a phone that is not a mainland mobile')
      : exchanged;
  }
  const repo = createStaffRepo(deps.database.db);
  const record = await repo.findByPhone(exchanged.value.phone);
  if (!record) return fail('PHONE_NOT_INVITED', 'no staff record was invited with this phone');
  if (record.status === 'disabled') return fail('STAFF_DISABLED', `staff ${record.id} is disabled`);
  const now = deps.clock.now();
  const bound = await repo.bindOpenid(record.id, wx.openid, wx.unionid, now);
  if (!bound) return fail('FORBIDDEN', `staff ${record.id} is already bound to another WeChat user`);
  await recordAudit(deps.database.db, {
    actorKind: 'staff',
    actorId: record.id,
    action: 'staff.bind_wechat',
    storeId: record.storeId,
    requestId: input.requestId,
    at: now,
  });
  const fresh = await repo.findById(record.id);
  return ok(await session(deps, fresh ?? record));
}

export async function readStaffProfile(deps: Deps, staffId: string): Promise<StaffProfile | null> {
  const record = await createStaffRepo(deps.database.db).findById(staffId);
  return record ? toStaffProfile(record) : null;
}
