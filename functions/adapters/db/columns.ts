/**
 * Column helpers and value lists every schema file shares. Kept apart from schema.ts, which re-exports the
 * context schema files: importing values from schema.ts inside them would be a circular import.
 */
import { timestamp } from 'drizzle-orm/pg-core';

export const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
export const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const IDENTITY_KINDS = ['phone', 'openid', 'unionid', 'pos_card', 'mall_account', 'wecom_id', 'email'] as const;
export const SOURCES = ['pos', 'mall', 'miniprogram', 'wecom', 'staff', 'import'] as const;
