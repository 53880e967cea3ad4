/**
 * The counter page's confirmation before something is taken back: a redemption voided or a coupon-less sale taken
 * back, from its result card or from today's list.
 */
import { Button, View } from '@tarojs/components';

/**
 * The confirmation before a void, drawn by the page rather than NutUI's Dialog: babel-plugin-import puts a NutUI
 * component's CSS at the top of the importing file, ahead of staff.scss, the opposite of 优惠券管理's order, and the
 * subpackage's shared CSS chunk then has no consistent order.
 */
export function VoidDialog({
  title,
  text,
  testId = 'counter-void',
  onCancel,
  onConfirm,
}: {
  title: string;
  text: string;
  /** the prefix of its test ids: `<testId>-dialog`, `-confirm`, `-cancel`, `-ok` */
  testId?: string;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  return (
    <View className="staff-mask" data-testid={`${testId}-dialog`}>
      <View className="ctr-dialog">
        <View className="ctr-dialog__title">{title}</View>
        <View className="ctr-dialog__text" data-testid={`${testId}-confirm`}>
          {text}
        </View>
        <View className="ctr-dialog__actions">
          <Button className="ml-btn ml-btn--ghost ctr-dialog__btn" onClick={onCancel} data-testid={`${testId}-cancel`}>
            不撤销
          </Button>
          <Button className="ml-btn ml-btn--danger ctr-dialog__btn" onClick={onConfirm} data-testid={`${testId}-ok`}>
            确认撤销
          </Button>
        </View>
      </View>
    </View>
  );
}
