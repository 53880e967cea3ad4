/**
 * Which of some customers a staff member may act on for `action`: each customer's stores and regions (home store and
 * stores bought at, two queries for the whole list) put to the access policy. Outside the set a customer is "not
 * found" to the caller: a phone number or an id must not reveal membership elsewhere.
 */
import { type Action, type Actor, decide } from '../../../shared/access/policy.js';
import type { Db } from '../../adapters/db/client.js';
import { loyaltyMemberRepo } from '../../adapters/db/repos/loyalty-member.repo.js';

export async function customersInScope(
  db: Db,
  actor: Actor,
  action: Action,
  customerIds: readonly string[],
): Promise<Set<string>> {
  const scopes = await loyaltyMemberRepo.scope(db, customerIds);
  return new Set(
    customerIds.filter((customerId) => {
      const scope = scopes.get(customerId);
      const resource = {
        kind: 'member' as const,
        customerId,
        storeIds: scope?.storeIds ?? [],
        regionIds: scope?.regionIds ?? [],
      };
      return decide(actor, action, resource) === 'allow';
    }),
  );
}
