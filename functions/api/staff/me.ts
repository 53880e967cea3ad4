import { StaffProfile } from '../../../shared/contracts/auth.js';
import { readStaffProfile } from '../../app/auth/staff-login.js';
import { endpoint, failure, json } from '../../http/endpoint.js';

export default endpoint({ method: 'GET', auth: 'staff', action: 'staff.self_read' }, async ({ deps, actor }) => {
  if (actor.kind !== 'staff') return failure('FORBIDDEN');
  const profile = await readStaffProfile(deps, actor.staffId);
  return profile ? json(200, StaffProfile, profile) : failure('NOT_FOUND', `staff ${actor.staffId} not found`);
});
