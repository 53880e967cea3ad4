/**
 * Incremental linking of one record, inside the caller's transaction (an ingest, a sign-up): milliseconds, a
 * handful of indexed queries. The same rules as the bulk job: strong identifiers link (decideLink), an unverified
 * phone links as `decidePhoneGroup` says for the whole group of records carrying it, weak matches only suggest.
 */
import {
  decideLink,
  decidePhoneGroup,
  holdCandidates,
  keepApart,
  LINK_LIMITS,
  type PhoneGroupVerdict,
  type StrongVia,
} from '../../../shared/identity/link.rules.js';
import { maskPhone } from '../../../shared/identity/phone.js';
import type { Tx } from '../../adapters/db/client.js';
import {
  createIdentityRepo,
  type GroupRecord,
  type IdentityRepo,
  type RecordRow,
  type StrongMatch,
  WEAK_MATCH_LIMIT,
} from '../../adapters/db/repos/identity.repo.js';
import { newId } from '../../adapters/ids.js';

export type LinkOutcome = 'linked' | 'held' | 'own';

export interface LinkRecordResult {
  customerId: string;
  outcome: LinkOutcome;
  merges: string[];
  /**
   * earlier merges this record undid: phone merges whose records the phone's verdict no longer joins, and the strong
   * merges that had joined a record to them through the side those sent back (that record followed its evidence)
   */
  undone: string[];
  holds: number;
  suggestions: number;
}

export interface LinkActor {
  kind: 'system' | 'staff' | 'member';
  id: string;
}

/** Business day in Shanghai (UTC+8, no DST): dormancy is counted in the chain's days. */
export function shanghaiDay(now: Date): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

const together = (verdict: PhoneGroupVerdict, a: string, b: string) =>
  verdict.classes.some((c) => c.includes(a) && c.includes(b));

/**
 * Arrival order must not decide a merge. A phone merge (rule `phone`) was made on the group as it stood then: a card
 * named 王波 and a WeChat nickname whose gender agreed, one name on the phone. When this record changes the verdict
 * so that the group as it is now no longer puts that merge's two records in one class (徐月娥's card arrives: a family
 * phone, the nickname is held), the merge is undone, exactly as staff would undo it, with the reason in
 * `undone_by` (`linker:family-phone`…); the caller then holds the records as the rules now say. Only what the new
 * record changed is revisited (the same group without it still joins the pair), so a card that went dormant since
 * undoes nothing; merges on strong evidence (a verified phone, unionid, card), confirmed by a member or decided by a
 * reviewer are never touched. The common case (no record of one customer split by the verdict) reads nothing more.
 * Returns the merges undone, each with its pair of records.
 */
async function revisitPhoneMerges(
  repo: IdentityRepo,
  group: readonly GroupRecord[],
  verdict: PhoneGroupVerdict,
  recordId: string,
  today: string,
  now: Date,
): Promise<{ id: string; records: [string, string] }[]> {
  const inGroup = new Set(group.map((g) => g.recordId));
  let before: PhoneGroupVerdict | null = null;
  // pairs of the group in one customer now that the verdict keeps apart, and that the group without this record joined
  const changed = (a: string, b: string) => {
    if (a === b || !inGroup.has(a) || !inGroup.has(b) || together(verdict, a, b)) return false;
    if (a === recordId || b === recordId) return true;
    before ??= decidePhoneGroup(
      group.filter((g) => g.recordId !== recordId),
      today,
    );
    return together(before, a, b);
  };
  const split = new Set<string>();
  for (const a of group) {
    for (const b of group) if (a.customerId === b.customerId && changed(a.recordId, b.recordId)) split.add(a.recordId);
  }
  if (split.size === 0) return [];
  const undone: { id: string; records: [string, string] }[] = [];
  for (const m of await repo.phoneMergesOf([...split])) {
    const [a, b] = m.records;
    if (!changed(a, b)) continue;
    const reason = verdict.holds.find((h) => h.recordId === a || h.recordId === b)?.reason ?? 'phone_verdict';
    await repo.undoMerge(m.id, `linker:${reason.replaceAll('_', '-')}`, now);
    undone.push(m);
  }
  return undone;
}

const LINKER: LinkActor = { kind: 'system', id: 'linker' };

/**
 * After the undos above, what a later merge on the same phone carried along. Undoing a merge sends back the rows it
 * moved, the absorbed side's; the survivor's records stay where later merges took them. 向日葵's nickname and 张雅琴's
 * first card merged on the phone with the nickname's customer surviving; 张雅琴's second card then joined her first,
 * absorbing that customer, nickname and all. When 刘鹏's card makes it a family phone, undoing the first merge sends
 * back only 张雅琴's first card: the nickname stays with her second one, a merge of two people that no single undo
 * answers, and that arrival order and which customer happened to survive decided. So, while two records of the group
 * share a customer that the verdict keeps apart, every live phone merge the linker made on this phone that moved one
 * of them is undone too (with its followers); then each of the verdict's classes is joined again, as the bulk linker
 * joins it (the record being linked joins its own class in the caller). Returns the group as it is now.
 */
async function untangle(
  repo: IdentityRepo,
  phone: string,
  verdict: PhoneGroupVerdict,
  recordId: string,
  undone: string[],
  split: readonly string[],
  today: string,
  now: Date,
): Promise<GroupRecord[]> {
  let group = await repo.phoneGroup(phone, LINK_LIMITS.phoneRecords);
  const inGroup = new Set(group.map((g) => g.recordId));
  let clean = false;
  // the records of the merges the linker undid on this phone (`split`: the caller's, then here): only classes these
  // are in are joined again below, so that a split a person made (an undo by HQ) is never joined again from here
  const touched = new Set<string>(split);
  for (let budget = 20; budget > 0; budget -= 1) {
    const stuck = group.filter((a) =>
      group.some(
        (b) => a.recordId !== b.recordId && a.customerId === b.customerId && !together(verdict, a.recordId, b.recordId),
      ),
    );
    if (stuck.length === 0) {
      clean = true;
      break;
    }
    const carried = (await repo.phoneMergesOf(stuck.map((g) => g.recordId))).filter(
      (m) => !undone.includes(m.id) && inGroup.has(m.records[0]) && inGroup.has(m.records[1]),
    );
    if (carried.length === 0) break;
    const reason = verdict.holds.find((h) => stuck.some((g) => g.recordId === h.recordId))?.reason ?? 'phone_verdict';
    for (const m of carried) {
      await repo.undoMerge(m.id, `linker:${reason.replaceAll('_', '-')}`, now);
      undone.push(m.id);
      for (const r of m.records) touched.add(r);
    }
    undone.push(
      ...(await followUndone(
        repo,
        carried.map((m) => m.id),
        today,
        now,
      )),
    );
    group = await repo.phoneGroup(phone, LINK_LIMITS.phoneRecords);
  }
  // nothing more to undo, and two people still share a customer: joining classes could only add to it
  if (!clean) return group;
  // the verdict's classes whose records the undos left in more than one customer (the record's own: the caller)
  let rejoined = false;
  for (const c of verdict.classes) {
    if (c.includes(recordId) || !c.some((id) => touched.has(id))) continue;
    const customerOf = new Map(group.map((g) => [g.recordId, g.customerId]));
    const [first, ...rest] = c.filter((id) => customerOf.has(id));
    if (!first) continue;
    const own = customerOf.get(first) as string;
    const targets: Targets = new Map();
    for (const other of rest) {
      const cust = customerOf.get(other) as string;
      if (cust !== own && !targets.has(cust))
        targets.set(cust, {
          rule: 'phone',
          evidence: { via: 'phone', value: maskPhone(phone), records: [first, other], group: group.length },
        });
    }
    if (targets.size === 0) continue;
    await mergeAll(repo, own, targets, LINKER, now, []);
    rejoined = true;
  }
  return rejoined ? repo.phoneGroup(phone, LINK_LIMITS.phoneRecords) : group;
}

type Targets = Map<string, { rule: string; evidence: Record<string, unknown> }>;

/**
 * The customers the record's strong identifiers link it to, each with the rule and the pair of records as evidence;
 * from `read` when the caller read the strong matches already and nothing moved since. A value on more records than
 * the limit is blocked instead, and pushed to `limited`.
 */
async function strongTargets(
  repo: IdentityRepo,
  record: RecordRow,
  today: string,
  read?: readonly StrongMatch[],
  limited?: { kind: string; value: string }[],
): Promise<Targets> {
  const targets: Targets = new Map();
  const strong = read ?? (await repo.strongMatches(record.source, record.sourceId));
  for (const s of strong) {
    if (s.recordId === record.recordId) continue;
    const via: StrongVia = s.kind === 'phone' ? 'verified_phone' : (s.kind as StrongVia);
    const verdict = decideLink({
      via,
      blocked: s.blocked,
      sharedBy: s.sharedBy,
      a: record,
      b: record,
      today,
    });
    if (verdict.decision === 'link') {
      targets.set(s.customerId, {
        rule: via,
        evidence: {
          via,
          value: via === 'verified_phone' ? maskPhone(s.value) : s.value,
          records: [record.recordId, s.recordId],
        },
      });
    } else if (verdict.reason === 'cluster_limit') {
      await repo.block(s.kind, s.value, 'cluster_limit', `on ${s.sharedBy} records`);
      if (limited && !limited.some((l) => l.kind === s.kind && l.value === s.value)) {
        limited.push({ kind: s.kind, value: s.value });
      }
    }
  }
  return targets;
}

/**
 * Merges the record's customer and every target it may join into one survivor; the merge ids are pushed to
 * `merges`. Targets HQ keeps apart from the record's customer, or from a target joined on stronger evidence, are
 * left out (`keepApart`), and two equally strong ones kept apart from each other are returned as `held` instead.
 * `apart`: the caller's read of the separations among these customers (else read here). The survivor is
 * survivorOf's, from `ranks` when the caller read that order already for all of them.
 */
async function mergeAll(
  repo: IdentityRepo,
  own: string,
  targets: Targets,
  actor: LinkActor,
  now: Date,
  merges: string[],
  ranks?: ReadonlyMap<string, number>,
  apart?: readonly (readonly [string, string])[],
): Promise<{ survivor: string; joined: string[]; held: string[] }> {
  const pairs = apart ?? (await repo.keptApart([own, ...targets.keys()]));
  const verdict = keepApart(
    own,
    [...targets].map(([customerId, t]) => ({ customerId, strong: t.rule !== 'phone' })),
    pairs,
  );
  const all = [own, ...verdict.join];
  if (all.length === 1) return { survivor: own, joined: all, held: verdict.hold };
  const ranked = ranks && all.every((c) => ranks.has(c));
  const survivor = ranked
    ? all.reduce((a, b) => ((ranks.get(b) as number) < (ranks.get(a) as number) ? b : a))
    : await repo.survivorOf(all);
  for (const loser of all) {
    if (loser === survivor) continue;
    const why = targets.get(loser) ?? targets.get(survivor) ?? { rule: 'transitive', evidence: {} };
    const id = newId('mrg', now.getTime());
    await repo.merge({
      id,
      survivorId: survivor,
      mergedId: loser,
      rule: why.rule,
      evidence: why.evidence,
      actorKind: actor.kind,
      actorId: actor.id,
      now,
    });
    merges.push(id);
  }
  return { survivor, joined: all, held: verdict.hold };
}

/**
 * A record that joined the wrongly merged customer later on strong evidence follows the side its evidence is on.
 * 张琳's card and the 向日葵 nickname merged on the phone; a WeCom contact then joined by the nickname's unionid, into
 * 张琳's customer (the survivor). Undoing the phone merge moves back only the rows it moved, so the contact would stay
 * with 张琳 on evidence that is 向日葵's. Each live strong merge the linker made since whose pair of records the undo
 * split is undone too (`linker:follows-undone-merge`), and both records of the pair are linked again on their strong
 * identifiers by the normal merge path: the contact joins the nickname, and had it strong evidence on both sides
 * it would join them both, as the bulk linker would. Merges a member or a reviewer made are never touched; a merge
 * undone here is revisited in turn (a contact joined by the contact's card follows it).
 */
async function followUndone(repo: IdentityRepo, undone: readonly string[], today: string, now: Date) {
  const followed: string[] = [];
  const queue = [...undone];
  for (let budget = 50; queue.length > 0 && budget > 0; budget -= 1) {
    const mergeId = queue.shift() as string;
    for (const m of await repo.strongMergesAfter(mergeId)) {
      const customers = await repo.customersOfRecords(m.records);
      if (customers.get(m.records[0]) === customers.get(m.records[1])) continue;
      await repo.undoMerge(m.id, 'linker:follows-undone-merge', now);
      followed.push(m.id);
      queue.push(m.id);
      for (const recordId of m.records) {
        const record = await repo.recordFacts(recordId);
        if (!record) continue;
        const targets = await strongTargets(repo, record, today);
        targets.delete(record.customerId);
        if (targets.size > 0) await mergeAll(repo, record.customerId, targets, LINKER, now, []);
      }
    }
  }
  return followed;
}

/**
 * A strong value that has just gone over its limit (15 WeCom contacts of as many people, all with one junk unionid)
 * is blocked from then on, and what it linked before is undone, as the ninth card on a phone undoes the phone's
 * merges: the linker's merges made on that value (`linker:cluster-limit`), then every later merge of the linker whose
 * pair of records those undos split (a card that joined one of the contacts on its phone went to the cluster's
 * survivor, and would keep another contact's company: `linker:follows-undone-merge`). A merge made on other evidence
 * stays; one whose evidence was this value while other evidence joins the same two records too (a second card, their
 * phone) is made again: each record of the undone merges is linked afresh, the blocked value no longer counted, as
 * the bulk job links them. The bulk job's merges on the value (made while it was under its limit) are undone too:
 * each joined a whole losing customer, so all the records it moved are linked afresh. Returns the merges undone.
 */
async function releaseClusterValues(
  tx: Tx,
  repo: IdentityRepo,
  values: readonly { kind: string; value: string }[],
  recordId: string,
  now: Date,
): Promise<string[]> {
  const undone: string[] = [];
  const records = new Set<string>();
  for (const v of values) {
    // the bulk job's merges on the value (an initial migration linked it while it was under its limit), then the
    // incremental linker's
    const merges = [...(await repo.bulkMergesOnValue(v.kind, v.value)), ...(await repo.mergesOnValue(v.kind, v.value))];
    for (const m of merges) {
      await repo.undoMerge(m.id, 'linker:cluster-limit', now);
      undone.push(m.id);
      for (const r of m.records) records.add(r);
    }
  }
  if (undone.length === 0) return undone;
  const queue = [...undone];
  for (let budget = 200; queue.length > 0 && budget > 0; budget -= 1) {
    const mergeId = queue.shift() as string;
    for (const m of await repo.strongMergesAfter(mergeId, [...FOLLOWED_RULES])) {
      const customers = await repo.customersOfRecords(m.records);
      if (customers.get(m.records[0]) === customers.get(m.records[1])) continue;
      await repo.undoMerge(m.id, 'linker:follows-undone-merge', now);
      undone.push(m.id);
      queue.push(m.id);
      for (const r of m.records) records.add(r);
    }
  }
  records.delete(recordId);
  for (const r of [...records].sort()) undone.push(...(await linkRecord(tx, r, now)).undone);
  return undone;
}

const FOLLOWED_RULES = [
  'unionid',
  'openid',
  'pos_card',
  'mall_account',
  'wecom_id',
  'verified_phone',
  'phone',
] as const;

export async function linkRecord(
  tx: Tx,
  recordId: string,
  now: Date,
  actor: LinkActor = LINKER,
): Promise<LinkRecordResult> {
  const repo = createIdentityRepo(tx);
  const today = shanghaiDay(now);
  // the record, its phone group, its strong and its weak matches: one round trip
  const facts = await repo.linkFacts(recordId, LINK_LIMITS.phoneRecords);
  if (!facts) throw new Error(`record ${recordId} not found`);
  const record = facts.record;

  // 0. the phone group, and the phone merges this record's arrival no longer supports (undone before anything links,
  // so every customer id read below is the one after the undo)
  let phone: { value: string; group: GroupRecord[]; verdict: PhoneGroupVerdict } | null = null;
  let undone: string[] = [];
  // the group holds this record unless the phone is blocked, so an empty group is a blocked phone
  const firstGroup = record.phone === null ? [] : facts.group;
  if (record.phone !== null && firstGroup.length > 0) {
    let group = firstGroup;
    const verdict = decidePhoneGroup(group, today);
    const revisited = await revisitPhoneMerges(repo, group, verdict, recordId, today, now);
    undone = revisited.map((m) => m.id);
    if (undone.length > 0) {
      undone.push(...(await followUndone(repo, undone, today, now)));
      const split = revisited.flatMap((m) => m.records);
      group = await untangle(repo, record.phone, verdict, recordId, undone, split, today, now);
      record.customerId = group.find((g) => g.recordId === recordId)?.customerId ?? record.customerId;
    }
    phone = { value: record.phone, group, verdict };
  }

  // 1. strong identifiers: an undo moved records between customers, so what was read first is stale then
  const limited: { kind: string; value: string }[] = [];
  const targets = await strongTargets(repo, record, today, undone.length === 0 ? facts.strong : undefined, limited);
  if (limited.length > 0) {
    // the value went over its limit with this record: its earlier merges are undone, and the record is linked on
    // what is left (the blocked value links nothing, so this happens once)
    const released = await releaseClusterValues(tx, repo, limited, recordId, now);
    if (released.length > 0) {
      const again = await linkRecord(tx, recordId, now, actor);
      return { ...again, undone: [...undone, ...released, ...again.undone] };
    }
  }

  // the separations HQ made among the customers in play (usually none): read with the facts, again after an undo
  const apart =
    undone.length === 0
      ? facts.apart
      : await repo.keptApart([
          record.customerId,
          ...targets.keys(),
          ...(phone?.group.map((g) => g.customerId) ?? []),
          ...facts.weak.map((w) => w.customerId),
        ]);
  const isApart = (a: string | undefined, b: string) =>
    apart.some(([x, y]) => (x === a && y === b) || (x === b && y === a));

  // 2. the phone group
  let held = 0;
  let heldMe = false;
  if (phone !== null) {
    const { group, verdict } = phone;
    const customerOf = new Map(group.map((g) => [g.recordId, g.customerId]));
    const mine = verdict.classes.find((c) => c.includes(recordId));
    for (const other of mine ?? []) {
      const c = customerOf.get(other);
      if (other !== recordId && c && !targets.has(c)) {
        targets.set(c, {
          rule: 'phone',
          evidence: { via: 'phone', value: maskPhone(phone.value), records: [recordId, other], group: group.length },
        });
      }
    }
    // holds: each held record of the group against every other customer in it its name does not contradict, and
    // that HQ does not keep apart from the record's
    const holds = verdict.holds.flatMap((h) => {
      const others = new Set(
        [...holdCandidates(group, h.recordId)].filter(
          (c) => !targets.has(c) && !isApart(customerOf.get(h.recordId), c),
        ),
      );
      if (h.recordId === recordId && others.size > 0) heldMe = true;
      return [...others].map((candidate) => ({
        id: newId('hld', now.getTime()),
        recordId: h.recordId,
        candidateCustomerId: candidate,
        phone: phone.value,
        reason: h.reason,
        evidence: { via: 'phone', value: maskPhone(phone.value), group: group.length },
      }));
    });
    held = await repo.insertHolds(holds, now);
  }

  // 3. merge every linked customer into one survivor, but none HQ keeps apart: two such customers the evidence
  // points at equally strongly are held for a reviewer instead (`kept_apart`)
  const merges: string[] = [];
  let customerId = record.customerId;
  let joined = [record.customerId];
  if (targets.size > 0) {
    const done = await mergeAll(
      repo,
      record.customerId,
      targets,
      actor,
      now,
      merges,
      undone.length === 0 ? facts.survivorRank : undefined,
      apart,
    );
    customerId = done.survivor;
    joined = done.joined;
    const keptApart = done.held.map((candidate) => ({
      id: newId('hld', now.getTime()),
      recordId,
      candidateCustomerId: candidate,
      phone: record.phone,
      reason: 'kept_apart',
      evidence: { ...(targets.get(candidate)?.evidence ?? {}), keptApart: true },
    }));
    const added = await repo.insertHolds(keptApart, now);
    held += added;
    if (done.held.length > 0) heldMe = true;
  }

  // 4. weak evidence only suggests. The weak matches read first are the records of other customers than the record's
  // then; the merges above moved the record's and its targets' records to the survivor, so those are the survivor's
  // now. Read again when an undo moved records, or when the read was cut at its limit and a match became the
  // survivor's (a match beyond the limit would take its place).
  const merged = new Set(joined);
  const weakNow = facts.weak.map((w) => (merged.has(w.customerId) ? { ...w, customerId } : w));
  const weak =
    undone.length > 0 || (facts.weak.length >= WEAK_MATCH_LIMIT && weakNow.some((w) => w.customerId === customerId))
      ? await repo.weakMatches(recordId)
      : weakNow;
  let suggestions = 0;
  for (const w of weak) {
    // a pair HQ keeps apart is not suggested again
    if (w.customerId === customerId || joined.some((j) => isApart(j, w.customerId))) continue;
    const created = await repo.insertSuggestion({
      id: newId('sug', now.getTime()),
      recordA: recordId,
      recordB: w.recordId,
      storeId: record.storeId ?? w.storeId,
      evidence: {
        via: 'name_birthday_district',
        name: record.name,
        birthday: record.birthday,
        district: record.district,
      },
      now,
    });
    if (created) suggestions += 1;
  }
  return {
    customerId,
    outcome: merges.length > 0 ? 'linked' : heldMe ? 'held' : 'own',
    merges,
    undone,
    holds: held,
    suggestions,
  };
}
