import {
  MemberLoginResponse,
  MeResponse,
  StaffBindBody,
  StaffLoginBody,
  StaffLoginResponse,
  StaffProfile,
  WxLoginBody,
} from '@shared/contracts/auth';
import { apiRequest } from './http';

/** The auth endpoints, typed and parsed by the shared contracts. */
export const authApi = {
  wxLogin: (code: string) =>
    apiRequest({
      method: 'POST',
      path: '/api/auth/wx-login',
      body: { code },
      bodySchema: WxLoginBody,
      auth: 'none',
      schema: MemberLoginResponse,
    }),
  me: () => apiRequest({ method: 'GET', path: '/api/me', auth: 'member', schema: MeResponse }),
  staffLogin: (code: string) =>
    apiRequest({
      method: 'POST',
      path: '/api/auth/staff-login',
      body: { code },
      bodySchema: StaffLoginBody,
      auth: 'none',
      schema: StaffLoginResponse,
    }),
  staffBind: (code: string, phoneCode: string) =>
    apiRequest({
      method: 'POST',
      path: '/api/auth/staff-bind',
      body: { code, phoneCode },
      bodySchema: StaffBindBody,
      auth: 'none',
      schema: StaffLoginResponse,
    }),
  staffMe: () => apiRequest({ method: 'GET', path: '/api/staff/me', auth: 'staff', schema: StaffProfile }),
};
