import { z } from 'zod';

export const StaffRole = z.enum(['clerk', 'pharmacist', 'store_manager', 'regional_manager', 'hq_admin']);
export type StaffRole = z.infer<typeof StaffRole>;

/** wx.login gives a one-time code, valid 5 minutes; the server trades it through jscode2session. */
export const WxLoginBody = z.strictObject({ code: z.string().min(1).max(128) });
export type WxLoginBody = z.infer<typeof WxLoginBody>;

export const SessionTokens = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  /** seconds until accessToken expires */
  expiresIn: z.number().int().positive(),
});
export type SessionTokens = z.infer<typeof SessionTokens>;

export const MemberLoginResponse = SessionTokens.extend({
  /** false until the WeChat user has signed up (phone authorised); later issues add sign-up */
  registered: z.boolean(),
});
export type MemberLoginResponse = z.infer<typeof MemberLoginResponse>;

export const RefreshBody = z.strictObject({ refreshToken: z.string().min(10).max(4096) });
export type RefreshBody = z.infer<typeof RefreshBody>;

export const MeResponse = z.object({
  registered: z.boolean(),
  customerId: z.string().nullable(),
  /** how the home greets the member: 张先生 / 李女士 from the name on a linked card (shared/identity/name.ts) */
  displayName: z.string().nullable(),
  /** phone masked as 138****1234 */
  phoneMasked: z.string().nullable(),
  memberSince: z.string().nullable(),
  homeStore: z.object({ id: z.string(), name: z.string() }).nullable(),
});
export type MeResponse = z.infer<typeof MeResponse>;

/** Staff log in with WeChat too; the first time they prove the invited phone with the phone button's code. */
export const StaffLoginBody = z.strictObject({ code: z.string().min(1).max(128) });
export const StaffBindBody = z.strictObject({
  code: z.string().min(1).max(128),
  phoneCode: z.string().min(1).max(128),
});
export type StaffLoginBody = z.infer<typeof StaffLoginBody>;
export type StaffBindBody = z.infer<typeof StaffBindBody>;

export const StaffProfile = z.object({
  staffId: z.string(),
  name: z.string(),
  role: StaffRole,
  store: z.object({ id: z.string(), name: z.string() }).nullable(),
  region: z.object({ id: z.string(), name: z.string() }).nullable(),
});
export type StaffProfile = z.infer<typeof StaffProfile>;

export const StaffLoginResponse = SessionTokens.extend({ staff: StaffProfile });
export type StaffLoginResponse = z.infer<typeof StaffLoginResponse>;

export const HealthResponse = z.object({
  status: z.enum(['ok', 'degraded']),
  db: z.enum(['ok', 'down']),
  migration: z.string().nullable(),
  driver: z.enum(['pglite', 'neon']),
  time: z.string(),
});
export type HealthResponse = z.infer<typeof HealthResponse>;
