import { View } from '@tarojs/components';
import './check-box.scss';

/** A large tick box for a row the whole of which is tapped (consents, 我已了解): 48 px, legible for older members. */
export function CheckBox({ checked }: { checked: boolean }) {
  return <View className={`ml-check${checked ? ' ml-check--on' : ''}`}>{checked ? '✓' : ''}</View>;
}
