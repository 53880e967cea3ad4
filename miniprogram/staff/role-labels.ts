import type { StaffRole } from '@shared/contracts/auth';

export const ROLE_LABELS: Record<StaffRole, string> = {
  clerk: '店员',
  pharmacist: '药师',
  store_manager: '店长',
  regional_manager: '区域经理',
  hq_admin: '总部管理员',
};
