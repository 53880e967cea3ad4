import { normalizePhone } from '@shared/identity/phone';
import { Button, Input, Text, View } from '@tarojs/components';
import { useState } from 'react';
import './phone-search.scss';

/** 138****5678: how a searched phone is echoed back on the page. */
export const maskedPhone = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(7)}`;

/**
 * A staff list's search by the customer's mobile number, in any form a phone is pasted in (+86 136 9571 0013,
 * 0086-, full-width digits) or a hint, and while a phone is searched a line
 * saying so with 查看全部 to go back to the whole list. `testid` prefixes the test ids (`-phone`, `-search`,
 * `-filter`, `-clear`).
 */
export function PhoneSearch({
  testid,
  placeholder,
  phone,
  filterText,
  onSearch,
  onClear,
}: {
  testid: string;
  placeholder: string;
  /** the phone the list shows now, null for the whole list */
  phone: string | null;
  /** what the list shows for that phone, e.g. `手机号 138****5678 的合并记录` */
  filterText: (masked: string) => string;
  onSearch: (phone: string) => void;
  onClear: () => void;
}) {
  const [input, setInput] = useState('');
  const [hint, setHint] = useState<string | null>(null);

  const search = () => {
    const phone = normalizePhone(input);
    if (!phone.ok) {
      setHint(phone.reason === 'empty' ? '请输入手机号' : '请输入 11 位手机号');
      return;
    }
    setHint(null);
    onSearch(phone.canonical);
  };

  const clear = () => {
    setInput('');
    setHint(null);
    onClear();
  };

  return (
    <View className="ml-card ml-phone-search">
      <View className="ml-phone-search__row">
        <Input
          className="ml-phone-search__input"
          // text, not number: a pasted +86 or a space must reach normalizePhone, not be cut to 11 wrong digits
          type="text"
          maxlength={24}
          placeholder={placeholder}
          value={input}
          onInput={(e) => setInput(e.detail.value)}
          onConfirm={search}
          data-testid={`${testid}-phone`}
        />
        <Button
          className="ml-btn ml-btn--primary ml-phone-search__btn"
          onClick={search}
          data-testid={`${testid}-search`}
        >
          查找
        </Button>
      </View>
      {hint ? <View className="ml-phone-search__hint">{hint}</View> : null}
      {phone ? (
        <View className="ml-phone-search__filter" data-testid={`${testid}-filter`}>
          <Text>{filterText(maskedPhone(phone))}</Text>
          <Text className="ml-phone-search__clear" onClick={clear} data-testid={`${testid}-clear`}>
            查看全部
          </Text>
        </View>
      ) : null}
    </View>
  );
}
