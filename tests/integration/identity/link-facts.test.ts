/**
 * The incremental linker's first read is one round trip (identityRepo.linkFacts): the record, its phone group unless
 * the phone is blocked, its strong matches and its weak matches, and the order survivorOf keeps their customers in.
 * It must return exactly what the separate reads return, for every kind of record: a family phone, a placeholder
 * phone, a phone on more records than a household has, a card shared by two systems, namesakes of one birthday and
 * district, no phone at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityRepo } from '../../../functions/adapters/db/repos/identity.repo.js';
import { LINK_LIMITS } from '../../../shared/identity/link.rules.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { ingest } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const person = (sourceId: string, over: Record<string, unknown> = {}) => ({
  sourceId,
  name: '王芳',
  birthday: '1968-05-02',
  gender: '女',
  storeCode: 'HZ001',
  lastActive: '2026-10-01',
  ...over,
});

const byId = <T extends { recordId: string; kind?: string }>(xs: readonly T[]) =>
  [...xs].sort((a, b) => `${a.recordId}|${a.kind ?? ''}`.localeCompare(`${b.recordId}|${b.kind ?? ''}`));

describe('the linker reads a record in one round trip', () => {
  it('returns what the record, phone group, strong and weak reads return, for every record', async () => {
    const pos = await ingest(sys, [
      // a family phone: two names on one number
      person('LF001', { phone: '13912340001', cardNo: 'LF001' }),
      person('LF002', { name: '李强', gender: '男', birthday: '1966-01-09', phone: '13912340001', cardNo: 'LF002' }),
      // a placeholder phone links nothing (blocked)
      person('LF003', { name: '赵敏', phone: '13800000000', cardNo: 'LF003' }),
      // namesakes of one birthday and district with other phones: weak matches only
      person('LF004', { phone: '13912340004', cardNo: 'LF004' }),
      person('LF005', { phone: null, cardNo: 'LF005' }),
      // a phone on more records than a household
      ...Array.from({ length: LINK_LIMITS.phoneRecords + 2 }, (_, i) =>
        person(`LF1${String(i).padStart(2, '0')}`, { name: `顾客${i}`, phone: '13912349999', cardNo: `LF1${i}` }),
      ),
    ]);
    expect(pos.body.rejected).toBe(0);
    // the mall knows the first card too: a strong identifier shared across systems
    const mall = await ingest(
      sys,
      [person('M-LF001', { mallAccount: 'M-LF001', cardNo: 'LF001', phone: null })],
      'key_mall',
    );
    expect(mall.body.rejected).toBe(0);

    const repo = createIdentityRepo(sys.database.db);
    // a number found to be a shop's after it was stored: blocked, its group is read as none
    const [shop] = await sys.database.exec("select phone from source_records where source_id = 'LF004'");
    await repo.block('phone', String(shop.phone), 'cluster_limit', 'a test');
    const records = await sys.database.exec("select id from source_records where source_id like '%LF%' order by id");
    expect(records.length).toBe(LINK_LIMITS.phoneRecords + 2 + 6);
    let withGroup = 0;
    let withStrong = 0;
    let withWeak = 0;
    for (const { id } of records) {
      const facts = await repo.linkFacts(String(id), LINK_LIMITS.phoneRecords);
      const record = await repo.recordFacts(String(id));
      expect(facts?.record).toEqual(record);
      if (!record) continue;
      const group =
        record.phone === null
          ? []
          : await repo.phoneGroup(record.phone, LINK_LIMITS.phoneRecords, { unlessBlocked: true });
      expect(facts?.group).toEqual(group);
      expect(byId(facts?.strong ?? [])).toEqual(byId(await repo.strongMatches(record.source, record.sourceId)));
      expect(byId(facts?.weak ?? [])).toEqual(byId(await repo.weakMatches(record.recordId)));
      // the survivor order covers the record's, its group's and its matches' customers, as survivorOf keeps them
      const ranks = facts?.survivorRank ?? new Map<string, number>();
      const customers = new Set([
        record.customerId,
        ...group.map((x) => x.customerId),
        ...(facts?.strong ?? []).map((x) => x.customerId),
      ]);
      expect(new Set(ranks.keys())).toEqual(customers);
      const first = [...customers].reduce((a, b) => ((ranks.get(b) ?? 0) < (ranks.get(a) ?? 0) ? b : a));
      expect(first).toBe(await repo.survivorOf([...customers]));
      if (group.length > 0) withGroup += 1;
      if ((facts?.strong.length ?? 0) > 1) withStrong += 1;
      if ((facts?.weak.length ?? 0) > 0) withWeak += 1;
    }
    // the data exercised each part: groups (the cut one at limit + 1), shared strong keys and weak matches
    expect(withGroup).toBeGreaterThanOrEqual(LINK_LIMITS.phoneRecords + 2 + 2);
    const blocked = await repo.linkFacts(
      String((await sys.database.exec("select id from source_records where source_id = 'LF004'"))[0].id),
      LINK_LIMITS.phoneRecords,
    );
    expect(blocked?.record.phone).toBe(shop.phone);
    expect(blocked?.group).toEqual([]);
    expect(withStrong).toBeGreaterThan(0);
    expect(withWeak).toBeGreaterThan(0);
    expect(await repo.linkFacts('rec_none', LINK_LIMITS.phoneRecords)).toBeNull();
  });
});
