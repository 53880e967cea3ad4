import {
  CloseAccountBody,
  CloseAccountResponse,
  ClosurePreviewResponse,
  ConsentsResponse,
  CreateSignupCodeBody,
  MemberCodeResponse,
  SignupBody,
  SignupCode,
  SignupCodesResponse,
  SignupResponse,
  SignupStatsResponse,
  SignupStoreResponse,
  StaffClosableResponse,
  StaffCloseBody,
  UpdateConsentsBody,
  VerifyPhoneBody,
  VerifyPhoneResponse,
} from '@shared/contracts/onboarding';
import type { ConsentChoice } from '@shared/onboarding/consent';
import { apiRequest } from './http';

const qs = (params: Record<string, string | undefined>): string => {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`);
  return parts.length ? `?${parts.join('&')}` : '';
};

/** Sign-up, consents and the member code (member), sign-up codes and figures (staff). */
export const onboardingApi = {
  signupStore: (scene: string) =>
    apiRequest({
      method: 'GET',
      path: `/api/signup/store${qs({ scene })}`,
      auth: 'none',
      schema: SignupStoreResponse,
    }),
  verifyPhone: (phoneCode: string) =>
    apiRequest({
      method: 'POST',
      path: '/api/signup/phone',
      body: { phoneCode },
      bodySchema: VerifyPhoneBody,
      auth: 'member',
      schema: VerifyPhoneResponse,
    }),
  register: (input: { scene: string | null; phoneCode: string; consents: ConsentChoice[] }) =>
    apiRequest({
      method: 'POST',
      path: '/api/signup/register',
      body: input,
      bodySchema: SignupBody,
      auth: 'member',
      schema: SignupResponse,
    }),
  consents: () => apiRequest({ method: 'GET', path: '/api/member/consents', auth: 'member', schema: ConsentsResponse }),
  updateConsents: (changes: ConsentChoice[]) =>
    apiRequest({
      method: 'POST',
      path: '/api/member/consents/update',
      body: { changes },
      bodySchema: UpdateConsentsBody,
      auth: 'member',
      schema: ConsentsResponse,
    }),
  closurePreview: () =>
    apiRequest({ method: 'GET', path: '/api/member/account', auth: 'member', schema: ClosurePreviewResponse }),
  closeAccount: () =>
    apiRequest({
      method: 'POST',
      path: '/api/member/account/close',
      body: { confirm: true as const },
      bodySchema: CloseAccountBody,
      auth: 'member',
      schema: CloseAccountResponse,
    }),
  closableMembers: (phone: string) =>
    apiRequest({
      method: 'GET',
      path: `/api/staff/members/closable${qs({ phone })}`,
      auth: 'staff',
      schema: StaffClosableResponse,
    }),
  staffCloseMember: (customerId: string) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/members/close',
      body: { customerId, identityChecked: true as const },
      bodySchema: StaffCloseBody,
      auth: 'staff',
      schema: CloseAccountResponse,
    }),
  memberCode: () => apiRequest({ method: 'GET', path: '/api/member/code', auth: 'member', schema: MemberCodeResponse }),
  signupCodes: (storeId?: string) =>
    apiRequest({
      method: 'GET',
      path: `/api/staff/signup-codes${qs({ storeId })}`,
      auth: 'staff',
      schema: SignupCodesResponse,
    }),
  createSignupCode: (storeId: string, clerkStaffId: string | null) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/signup-codes/create',
      body: { storeId, clerkStaffId },
      bodySchema: CreateSignupCodeBody,
      auth: 'staff',
      schema: SignupCode,
    }),
  signupStats: (storeId?: string) =>
    apiRequest({
      method: 'GET',
      path: `/api/staff/signup-stats${qs({ storeId })}`,
      auth: 'staff',
      schema: SignupStatsResponse,
    }),
};
