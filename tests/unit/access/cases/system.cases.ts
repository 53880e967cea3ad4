import { all, only, type PolicyCase, STAFF } from './helpers.js';

export const SYSTEM_CASES = {
  'system.health': { resource: { kind: 'none' }, expect: all('allow') },
  'system.ping': { resource: { kind: 'none' }, expect: all('allow') },
  'auth.member_login': { resource: { kind: 'none' }, expect: all('allow') },
  'auth.staff_login': { resource: { kind: 'none' }, expect: all('allow') },
  'auth.refresh': { resource: { kind: 'none' }, expect: all('allow') },
  'member.self_read': { resource: { kind: 'none' }, expect: only(['member']) },
  'staff.self_read': { resource: { kind: 'none' }, expect: only(STAFF) },
  'partner.ping': { resource: { kind: 'none' }, expect: only(['pos', 'mall']) },
} satisfies Record<string, PolicyCase | PolicyCase[]>;
