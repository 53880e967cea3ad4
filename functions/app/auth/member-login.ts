import type { MemberLoginResponse, MeResponse } from '../../../shared/contracts/auth.js';
import { greetingName } from '../../../shared/identity/name.js';
import { maskPhone } from '../../../shared/identity/phone.js';
import { createMemberRepo } from '../../adapters/db/repos/member.repo.js';
import type { Deps } from '../deps.js';
import { wechatFailure } from './wechat-failure.js';

/** wx.login code → jscode2session → the WeChat identity → a member session. Sign-up comes later. */
export async function memberLogin(deps: Deps, code: string): Promise<MemberLoginResponse> {
  const session = await deps.wechat.code2Session(code).catch((e) => wechatFailure(e, 'WX_CODE_INVALID'));
  const now = deps.clock.now();
  const identity = await createMemberRepo(deps.database.db).upsertWeChatLogin(session.openid, session.unionid, now);
  const tokens = await deps.tokens.issuePair({ aud: 'member', sub: identity.identityId, oid: session.openid });
  const registered = identity.customerId ? await isRegistered(deps, identity.customerId) : false;
  return { ...tokens, registered };
}

async function isRegistered(deps: Deps, customerId: string): Promise<boolean> {
  const summary = await createMemberRepo(deps.database.db).summary(customerId);
  return Boolean(summary?.registeredAt);
}

export async function readMe(deps: Deps, customerId: string | null): Promise<MeResponse> {
  const summary = customerId ? await createMemberRepo(deps.database.db).summary(customerId) : null;
  if (!summary) {
    return {
      registered: false,
      customerId: null,
      displayName: null,
      phoneMasked: null,
      memberSince: null,
      homeStore: null,
    };
  }
  return {
    registered: Boolean(summary.registeredAt),
    customerId: summary.customerId,
    // 张先生 from the name on a linked card (a sign-up's own record has none), else the customer's own name
    displayName: greetingName(summary.realName ?? summary.displayName, summary.gender),
    phoneMasked: summary.phone ? maskPhone(summary.phone) : null,
    memberSince: summary.registeredAt ? summary.registeredAt.toISOString() : null,
    homeStore: summary.homeStore,
  };
}
