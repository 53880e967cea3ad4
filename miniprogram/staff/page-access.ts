/**
 * Which staff roles may open which staff page, read from the one access policy (shared/access): each page names the
 * action of the call it opens with, and the roles are those the policy allows it. The home page offers a tile only
 * to those roles, and a page opened anyway says who may use it (StaffErrorCard). The server still decides every
 * call; this only keeps the pages from leading into a refusal.
 */
import { ROLE_RANK } from '@shared/access/actor';
import { type Action, decide } from '@shared/access/policy';
import type { StaffRole } from '@shared/contracts/auth';
import { ROLE_LABELS } from './role-labels';

export interface StaffPage {
  /** the page's name as its home tile says it */
  title: string;
  /** the action of the call the page opens with */
  action: Action;
}

export const STAFF_PAGES = {
  counter: { title: '扫码核销', action: 'counter.list' },
  coupons: { title: '优惠券管理', action: 'coupon.template_list' },
  'signup-codes': { title: '会员注册码', action: 'staff.signup_stats_read' },
  'identity-suggestions': { title: '会员合并建议', action: 'identity.suggestions_list' },
  'data-quality': { title: '会员资料质量', action: 'identity.quality_stores_read' },
  'integration-health': { title: '数据对接状态', action: 'identity.health_read' },
  'identity-merges': { title: '会员合并记录', action: 'identity.merge_list' },
  imports: { title: '数据导入', action: 'identity.import_list' },
  'import-format': { title: '新建导入格式', action: 'identity.import_format_manage' },
  quarantine: { title: '隔离的异常数据', action: 'identity.quarantine_read' },
  'member-close': { title: '会员注销', action: 'member.staff_close' },
} as const satisfies Record<string, StaffPage>;

export type StaffPageKey = keyof typeof STAFF_PAGES;

const ROLES_BY_RANK = (Object.keys(ROLE_RANK) as StaffRole[]).sort((a, b) => ROLE_RANK[a] - ROLE_RANK[b]);

/**
 * Whether the policy lets a staff member of `role` take `action`, within their own scope (a store and a region of
 * their own: the pages list what lies in the caller's scope).
 */
export const roleMay = (role: StaffRole, action: Action): boolean =>
  decide({ kind: 'staff', staffId: 'stf_page', role, storeId: 'sto_page', regionId: 'reg_page' }, action) === 'allow';

/** The roles that may take `action`, lowest first. */
export const rolesAllowed = (action: Action): StaffRole[] => ROLES_BY_RANK.filter((role) => roleMay(role, action));

/** 「优惠券管理」仅限店长、区域经理、总部管理员使用 */
export function whoMayUse(page: StaffPage): string {
  const roles = rolesAllowed(page.action).map((role) => ROLE_LABELS[role]);
  return roles.length > 0
    ? `「${page.title}」仅限${roles.join('、')}使用，当前账号没有权限。`
    : `当前账号没有权限使用「${page.title}」。`;
}
