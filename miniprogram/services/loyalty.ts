import {
  CouponTemplateList,
  CouponTemplateStatusBody,
  CouponTemplateView,
  type CreateCouponTemplateBody,
  IssueCouponsBody,
  IssueCouponsResponse,
  LoyaltySummaryResponse,
  MemberLookupResponse,
  NewMemberOfferResponse,
  PointsResponse,
  ResolvePhonesBody,
  ResolvePhonesResponse,
  SetBirthdayBody,
  SetBirthdayResponse,
  UpdateCouponTemplateBody,
  WalletResponse,
} from '@shared/contracts/loyalty';
import type { TemplateStatusAction } from '@shared/coupons/template.rules';
import { apiRequest } from './http';

/** Coupons, points and birthday (member); coupon templates and issuing (staff). Typed by the shared contracts. */
export const loyaltyApi = {
  wallet: () => apiRequest({ method: 'GET', path: '/api/loyalty/coupons', auth: 'member', schema: WalletResponse }),
  points: () => apiRequest({ method: 'GET', path: '/api/loyalty/points', auth: 'member', schema: PointsResponse }),
  /** the home card: points, tier, usable coupons and what ends soon */
  summary: () =>
    apiRequest({ method: 'GET', path: '/api/loyalty/summary', auth: 'member', schema: LoyaltySummaryResponse }),
  setBirthday: (birthday: string) =>
    apiRequest({
      method: 'POST',
      path: '/api/loyalty/birthday',
      body: { birthday },
      bodySchema: SetBirthdayBody,
      auth: 'member',
      schema: SetBirthdayResponse,
    }),
  templates: () =>
    apiRequest({ method: 'GET', path: '/api/staff/coupon-templates', auth: 'staff', schema: CouponTemplateList }),
  createTemplate: (body: CreateCouponTemplateBody) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/coupon-templates/create',
      body,
      auth: 'staff',
      schema: CouponTemplateView,
    }),
  /** what sign-up gives right now (null: nothing, so the pages promise nothing) */
  newMemberOffer: () =>
    apiRequest({
      method: 'GET',
      path: '/api/loyalty/new-member-offer',
      auth: 'member',
      schema: NewMemberOfferResponse,
    }),
  updateTemplate: (body: UpdateCouponTemplateBody) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/coupon-templates/update',
      body,
      bodySchema: UpdateCouponTemplateBody,
      auth: 'staff',
      schema: CouponTemplateView,
    }),
  templateStatus: (templateCode: string, action: TemplateStatusAction) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/coupon-templates/status',
      body: { templateCode, action },
      bodySchema: CouponTemplateStatusBody,
      auth: 'staff',
      schema: CouponTemplateView,
    }),
  findMember: (phone: string) =>
    apiRequest({
      method: 'GET',
      path: `/api/staff/coupons/member?phone=${encodeURIComponent(phone)}`,
      auth: 'staff',
      schema: MemberLookupResponse,
    }),
  /** 批量发券: the members of pasted phones, one answer per entry in its place (masked, in the caller's stores) */
  resolvePhones: (phones: string[]) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/coupons/resolve-phones',
      body: { phones },
      bodySchema: ResolvePhonesBody,
      auth: 'staff',
      schema: ResolvePhonesResponse,
    }),
  issue: (templateCode: string, customerIds: string[], batchKey: string) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/coupons/issue',
      body: { templateCode, customerIds, batchKey },
      bodySchema: IssueCouponsBody,
      auth: 'staff',
      schema: IssueCouponsResponse,
    }),
};
