/**
 * 手动标记不是同一人 (HQ): two records that no hold or suggestion ever put together, but that HQ knows are two people
 * (twins of one name and birthday, a parent and child on one phone), marked so that no sync or batch job joins them.
 * HQ finds the records by phone (each search is audited), picks one of each of two members (a second search keeps the
 * first pick, for two people on two phones), says why, and marks them.
 */
import type { PhoneRecordsResponse, RecordView } from '@shared/contracts/identity';
import { Button, Text, Textarea, View } from '@tarojs/components';
import { useState } from 'react';
import { describeError } from '../../../components/describe-error';
import { maskedPhone, PhoneSearch } from '../../../components/phone-search';
import { identityApi } from '../../../services/identity';
import { GENDER_LABELS, sourceLabel, who } from './records';

const NOTE_MIN = 2;
const NOTE_MAX = 200;

/** 门店收银 8850****0101 · 陈静 · 女 · 1990-05-01 · 文三路店: one record on one line, to pick it by. */
const recordLine = (r: RecordView) =>
  [
    `${sourceLabel(r.source)} ${r.sourceIdMasked}`,
    r.name ?? '未留姓名',
    GENDER_LABELS[r.gender],
    r.birthday,
    r.storeName,
  ]
    .filter(Boolean)
    .join(' · ');

/** The records found, one group per member, in the order the server gives (by member, then record). */
function byMember(records: RecordView[]): RecordView[][] {
  const groups = new Map<string, RecordView[]>();
  for (const r of records) groups.set(r.customerId, [...(groups.get(r.customerId) ?? []), r]);
  return [...groups.values()];
}

/**
 * One pick per member, two at most: a record of a member already picked takes that member's place, a third member
 * takes the second's, and tapping a picked record puts it down.
 */
function pick(picked: RecordView[], r: RecordView): RecordView[] {
  if (picked.some((p) => p.recordId === r.recordId)) return picked.filter((p) => p.recordId !== r.recordId);
  const sameMember = picked.findIndex((p) => p.customerId === r.customerId);
  if (sameMember >= 0) return picked.map((p, i) => (i === sameMember ? r : p));
  return picked.length < 2 ? [...picked, r] : [picked[0] as RecordView, r];
}

export function MarkApartCard({ onMarked }: { onMarked: (text: string) => void }) {
  const [open, setOpen] = useState(false);
  const [phone, setPhone] = useState<string | null>(null);
  const [found, setFound] = useState<PhoneRecordsResponse | null>(null);
  const [picked, setPicked] = useState<RecordView[]>([]);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const search = (p: string) => {
    setError(null);
    setPhone(p);
    setFound(null);
    identityApi
      .phoneRecords(p)
      .then(setFound)
      .catch((e: unknown) => setError(describeError(e).message));
  };
  const clear = () => {
    setPhone(null);
    setFound(null);
  };

  const trimmed = note.trim();
  const ready = picked.length === 2 && trimmed.length >= NOTE_MIN && !busy;
  const submit = () => {
    const [a, b] = picked;
    if (!a || !b || !ready) return;
    setBusy(true);
    setError(null);
    identityApi
      .markApart({ recordA: a.recordId, recordB: b.recordId, note: trimmed })
      .then((r) => {
        setPicked([]);
        setNote('');
        clear();
        setOpen(false);
        onMarked(
          r.created
            ? `已标记${who(a)}与${who(b)}不是同一人，以后不会自动合并`
            : `${who(a)}与${who(b)}此前已确认不是同一人，无需重复标记`,
        );
      })
      .catch((e: unknown) => setError(describeError(e).message))
      .finally(() => setBusy(false));
  };

  if (!open) {
    return (
      <View className="ml-card ida-card" onClick={() => setOpen(true)} data-testid="apart-open">
        <View className="ida-head">
          <View className="ida-head__title">手动标记不是同一人</View>
          <Text className="ida-head__more">标记 ›</Text>
        </View>
        <View className="ida-hint">确知不是同一人、但系统从未提示过的两份资料（如同名同生日的双胞胎）</View>
      </View>
    );
  }

  const groups = found ? byMember(found.records) : [];
  return (
    <View className="ml-card ida-card" data-testid="apart-card">
      <View className="ida-head">
        <View className="ida-head__title">手动标记不是同一人</View>
      </View>
      <View className="ida-hint">
        按手机号查找会员资料，在两位不同会员名下各选一份。标记后，以后的同步和批量关联都不会把这两位合并为同一人；如有误，可在下方列表中撤销。
      </View>
      <PhoneSearch
        testid="apart"
        placeholder="输入顾客手机号查找资料"
        phone={phone}
        filterText={(masked) => `手机号 ${masked} 名下的资料`}
        onSearch={search}
        onClear={clear}
      />
      {found && groups.length === 0 ? (
        <View className="ida-hint" data-testid="apart-none">
          没有资料登记了手机号 {phone ? maskedPhone(phone) : ''}
        </View>
      ) : null}
      {groups.map((records, i) => (
        <View key={records[0]?.customerId ?? i} className="ida-member" data-testid="apart-member">
          <View className="ida-member__head">
            会员 {i + 1}
            {records.length > 1 ? `（${records.length} 份资料已是同一人）` : ''}
          </View>
          {records.map((r) => {
            const on = picked.some((p) => p.recordId === r.recordId);
            return (
              <View
                key={r.recordId}
                className={`ida-record${on ? ' ida-record--on' : ''}`}
                onClick={() => setPicked((p) => pick(p, r))}
                data-testid="apart-record"
                data-picked={on ? 'yes' : 'no'}
              >
                <View className={`ida-check${on ? ' ida-check--on' : ''}`}>{on ? '✓' : ''}</View>
                <Text className="ida-record__text">{recordLine(r)}</Text>
              </View>
            );
          })}
        </View>
      ))}
      {found?.truncated ? (
        <View className="ida-hint">这个号码登记的资料很多，只显示前 {found.records.length} 份</View>
      ) : null}

      <View className="ida-picked" data-testid="apart-picked">
        {[0, 1].map((i) => {
          const r = picked[i];
          return (
            <View key={i} className="ida-picked__row">
              <Text className="ida-picked__label">{i === 0 ? '第一位' : '第二位'}</Text>
              <Text className="ida-picked__value">{r ? who(r) : '未选择'}</Text>
            </View>
          );
        })}
      </View>
      <Textarea
        className="ida-note"
        value={note}
        maxlength={NOTE_MAX}
        placeholder="说明为什么不是同一人（必填），如：双胞胎姐妹，同名同生日"
        onInput={(e) => setNote(e.detail.value)}
        data-testid="apart-note"
      />
      {error ? (
        <View className="staff-alert ida-alert" data-testid="apart-error">
          {error}
        </View>
      ) : null}
      <View className="idr-actions">
        <Button
          className="ml-btn ml-btn--ghost idr-actions__btn"
          onClick={() => setOpen(false)}
          data-testid="apart-cancel"
        >
          收起
        </Button>
        <Button
          className="ml-btn ml-btn--primary idr-actions__btn ida-actions__submit"
          disabled={!ready}
          onClick={submit}
          data-testid="apart-submit"
        >
          {busy ? '正在标记…' : '标记为不同的人'}
        </Button>
      </View>
    </View>
  );
}
