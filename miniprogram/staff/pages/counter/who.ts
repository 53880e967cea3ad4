/**
 * Who a member is on the counter's screens: the masked name, or for a member who never gave one (signed up in the
 * mini-program) the masked phone, so that two members' rows, results and voids are never told apart by 「会员」 alone.
 * Both come masked from the server (张*, 138****5678).
 */
interface Masked {
  nameMasked: string | null;
  phoneMasked: string | null;
}

/** 张*, else 138****5678; null when the member has neither */
export const memberWho = (m: Masked): string | null => m.nameMasked ?? m.phoneMasked;

/** 会员 张* · 138****5678 (what the result of a redemption or a sale names), or 会员 138****5678 */
export const memberLine = (m: Masked): string =>
  `会员 ${[m.nameMasked, m.phoneMasked].filter((s): s is string => s !== null).join(' · ') || '（未留姓名和手机号）'}`;
