/**
 * How the review pages show a source record: its source in words, its fields side by side with another record's
 * (a row neither has is left out), and a one-line name for sentences (王芳（门店收银 8850****0101）).
 */
import type { RecordView } from '@shared/contracts/identity';
import { Text, View } from '@tarojs/components';

const SOURCE_LABELS: Record<string, string> = {
  pos: '门店收银',
  mall: '线上商城',
  miniprogram: '小程序',
  wechat: '微信',
  wecom: '企业微信',
};
export const GENDER_LABELS: Record<string, string> = { male: '男', female: '女' };

export const sourceLabel = (source: string) => SOURCE_LABELS[source] ?? source;

type FieldKey = 'store' | 'sourceId' | 'name' | 'gender' | 'birthday' | 'phone' | 'district' | 'lastActive';

export const FIELDS: { key: FieldKey; label: string; value: (r: RecordView) => string | null }[] = [
  { key: 'store', label: '门店', value: (r) => r.storeName ?? (r.source === 'pos' ? null : '线上') },
  { key: 'sourceId', label: '编号', value: (r) => r.sourceIdMasked },
  { key: 'name', label: '姓名', value: (r) => r.name },
  { key: 'gender', label: '性别', value: (r) => GENDER_LABELS[r.gender] ?? null },
  { key: 'birthday', label: '生日', value: (r) => r.birthday },
  { key: 'phone', label: '手机', value: (r) => r.phoneMasked },
  { key: 'district', label: '区县', value: (r) => r.district },
  { key: 'lastActive', label: '最近活跃', value: (r) => (r.lastActive ? r.lastActive.slice(0, 10) : null) },
];

/** The fields that say who a person is: where both records have one and they differ, the reviewer should see it. */
const PERSON_FIELDS: ReadonlySet<FieldKey> = new Set(['name', 'gender', 'birthday', 'phone', 'district']);

/** Whether `r` and `other` both have field `f` and disagree on it (a masked phone compared as shown). */
export const differs = (f: (typeof FIELDS)[number], r: RecordView, other: RecordView): boolean => {
  if (!PERSON_FIELDS.has(f.key)) return false;
  const a = f.value(r);
  const b = f.value(other);
  return !!a && !!b && a.replace(/\s+/g, '') !== b.replace(/\s+/g, '');
};

/**
 * A row neither record has says nothing: it is left out, so both columns stay aligned and short. A field that says
 * who the person is and disagrees with the `other` record's is marked 不同.
 */
export function RecordColumn({
  title,
  r,
  other,
  fields,
  note,
}: {
  title: string;
  r: RecordView;
  other: RecordView;
  fields: typeof FIELDS;
  note?: string;
}) {
  return (
    <View className="idr-record" data-testid="suggestion-record">
      <View className="idr-record__head">{title}</View>
      <View className="idr-record__source">{sourceLabel(r.source)}</View>
      {fields.map((f) => {
        const off = differs(f, r, other);
        return (
          <View key={f.key} className={`idr-field${off ? ' idr-field--differs' : ''}`}>
            <Text className="idr-field__label">{f.label}</Text>
            <Text className="idr-field__value">
              {f.value(r) || '—'}
              {off ? (
                <Text className="idr-field__differs" data-testid={`field-differs-${f.key}`}>
                  不同
                </Text>
              ) : null}
            </Text>
          </View>
        );
      })}
      {note ? <View className="idr-record__note">{note}</View> : null}
    </View>
  );
}

export const who = (r: RecordView) => `${r.name ?? '该会员'}（${sourceLabel(r.source)} ${r.sourceIdMasked}）`;
