import {
  CounterLookupBody,
  CounterLookupResponse,
  CounterRedeemBody,
  CounterRedeemResponse,
  CounterRedemptionsResponse,
  CounterSaleBody,
  CounterSaleResponse,
  CounterSaleVoidBody,
  CounterSaleVoidResponse,
  CounterVoidBody,
  CounterVoidPreviewBody,
  CounterVoidPreviewResponse,
  CounterVoidResponse,
  ProductSearchQuery,
  ProductSearchResponse,
} from '@shared/contracts/counter';
import type { z } from 'zod';
import { ApiError } from './api-error';
import { apiRequest } from './http';

/**
 * The store counter (扫码核销, staff): look a scanned code up, redeem a coupon against the order amount, record the
 * sale for the member's points where the store's till is not connected, today's redemptions at the caller's store,
 * and voiding one. Typed by the shared contract.
 */
export const counterApi = {
  /** a member code (18 digits, 88…) or a coupon code (16 digits); the server tells them apart */
  lookup: (code: string) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/counter/lookup',
      body: { code },
      bodySchema: CounterLookupBody,
      auth: 'staff',
      schema: CounterLookupResponse,
    }),
  /** `idempotencyKey`: one per attempt; the same key again when the same attempt is resent after a network error */
  redeem: (body: CounterRedeemBody) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/counter/redeem',
      body,
      bodySchema: CounterRedeemBody,
      auth: 'staff',
      schema: CounterRedeemResponse,
    }),
  /**
   * Records the sale where the till is not connected (the lookup's `tillConnected` is false), so the member earns
   * its points; with `redemptionId` it is the order of the coupon just redeemed. Its own `idempotencyKey`, reused
   * only when the same attempt is resent.
   */
  sale: (body: z.input<typeof CounterSaleBody>) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/counter/sale',
      body,
      bodySchema: CounterSaleBody,
      auth: 'staff',
      schema: CounterSaleResponse,
    }),
  /** the chain's catalogue by name, generic name or SKU (at most 12), to add a sale's medicines */
  products: async (q: string) => {
    const query = ProductSearchQuery.safeParse({ q });
    if (!query.success) throw new ApiError('VALIDATION_FAILED', 400, '');
    return apiRequest({
      method: 'GET',
      path: `/api/staff/products?q=${encodeURIComponent(query.data.q)}`,
      auth: 'staff',
      schema: ProductSearchResponse,
    });
  },
  redemptions: () =>
    apiRequest({
      method: 'GET',
      path: '/api/staff/counter/redemptions',
      auth: 'staff',
      schema: CounterRedemptionsResponse,
    }),
  /** takes back a coupon-less sale recorded here today by mistake (its points go back) */
  voidSale: (body: CounterSaleVoidBody) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/counter/sale-void',
      body,
      bodySchema: CounterSaleVoidBody,
      auth: 'staff',
      schema: CounterSaleVoidResponse,
    }),
  /**
   * what a void or a taking-back will do to the member's points (nothing written), for its confirmation: the balance
   * after it, below 0 when the member spent points it takes back
   */
  voidPreview: (body: CounterVoidPreviewBody) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/counter/void-preview',
      body,
      bodySchema: CounterVoidPreviewBody,
      auth: 'staff',
      schema: CounterVoidPreviewResponse,
    }),
  voidRedemption: (body: CounterVoidBody) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/counter/void',
      body,
      bodySchema: CounterVoidBody,
      auth: 'staff',
      schema: CounterVoidResponse,
    }),
};

/**
 * A retry key for one attempt. Math.random is enough (no crypto in every WeChat runtime): the key only has to be
 * unique per clerk and attempt, the server binds it to the caller.
 */
export const newAttemptKey = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
