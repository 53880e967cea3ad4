import { anyone, memberOnly, partnerOf, type Rule, staffOnly } from '../actor.js';

/** Health, sessions and one's own profile. */
export const SYSTEM_RULES = {
  'system.health': anyone,
  'system.ping': anyone,
  // logging in is how an anonymous caller becomes an actor
  'auth.member_login': anyone,
  'auth.staff_login': anyone,
  'auth.refresh': anyone,
  'member.self_read': memberOnly,
  'staff.self_read': staffOnly,
  'partner.ping': partnerOf('pos', 'mall', 'wecom'),
} as const satisfies Record<string, Rule>;
