/**
 * A stored merge told to HQ in words: how it came about, what linked the two customers (masked values only) and who
 * did it. Evidence is stored as the linker wrote it, and some of it carries raw identifiers (a unionid, a card
 * number), so every value passes through a mask here before it leaves the server.
 */
import type { MergeItem } from '../../../shared/contracts/identity.js';
import { maskPhone } from '../../../shared/identity/phone.js';
import { maskCard } from './link-on-signup.js';

type Kind = MergeItem['kind'];

const VIA_WORDS: Record<string, string> = {
  unionid: '同一微信用户',
  openid: '同一微信 OpenID',
  pos_card: '同一会员卡号',
  mall_account: '同一商城账号',
  wecom_id: '同一企业微信联系人',
  verified_phone: '同一已验证手机号',
  phone: '同一手机号',
  existing: '原本已属同一会员的记录',
};

export function mergeKind(rule: string): Kind {
  if (rule === 'bulk') return 'bulk';
  if (rule === 'suggestion' || rule === 'restored' || rule === 'reviewed_hold') return 'staff_confirmed';
  if (rule === 'confirmed_match') return 'member_confirmed';
  return 'incremental';
}

/** An identifier as staff may see it: phones 138****8000, cards 88****0101, other ids their ends only. */
export function maskIdentifier(via: string, value: string): string {
  if (value.includes('*')) return value; // masked when stored (phones)
  if (via === 'phone' || via === 'verified_phone') return maskPhone(value);
  if (via === 'pos_card') return maskCard(value);
  if (value.length > 8) return `${value.slice(0, 4)}****${value.slice(-2)}`;
  return value.length >= 6 ? `${value.slice(0, 2)}****${value.slice(-2)}` : `${value.slice(0, 1)}****`;
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];

export function describeEvidence(rule: string, evidence: Record<string, unknown>): MergeItem['evidence'] {
  const via = strings(evidence.via);
  const raw = typeof evidence.value === 'string' ? evidence.value : null;
  const valueMasked = raw && via[0] ? maskIdentifier(via[0], raw) : null;
  const words = (v: string) => VIA_WORDS[v] ?? v;
  let text: string;
  switch (rule) {
    case 'bulk':
      // the job id is for the log, not for HQ; the kinds of link are those of the whole group the job joined, not
      // necessarily this record's own (a mall account joined through the card that shares its phone)
      text = via.length ? `批量关联：这组记录之间有${via.map(words).join('、')}` : '批量关联：同一批次关联';
      break;
    case 'suggestion':
      text = '员工核对后确认：姓名、生日、所在区县相同';
      break;
    case 'confirmed_match':
      text = '会员本人在小程序中确认这张会员卡是自己的';
      break;
    case 'reviewed_hold':
      text = '员工核对后确认：共用手机号的会员卡是这位会员的';
      break;
    case 'restored':
      text = '总部恢复了此前撤销的合并';
      break;
    case 'transitive':
      text = '与同一次关联的其他记录相连（间接关联）';
      break;
    default: {
      const first = via[0] ?? rule;
      const what = valueMasked ? `${words(first)} ${valueMasked}` : words(first);
      // an unverified phone links only when something beyond it agrees (link.rules.ts: decidePhoneGroup)
      const more = first === 'phone' ? '，姓名、生日或性别相符' : '';
      const group =
        typeof evidence.group === 'number' && evidence.group > 2 ? `（该号码共 ${evidence.group} 条记录）` : '';
      text = `${what}${more}${group}`;
    }
  }
  return { via, valueMasked, text };
}

export function describeActor(kind: 'system' | 'staff' | 'member', rule: string, staffName: string | null): string {
  if (kind === 'staff') return staffName ?? '员工';
  if (kind === 'member') return '会员本人';
  return rule === 'bulk' ? '系统批量关联' : '系统实时关联';
}
