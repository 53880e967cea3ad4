/**
 * A staff page's load failure. A refusal of the caller's role (FORBIDDEN), or of an account without a store at the
 * store counter, is no failure to retry: the page says who may use it and leads back to the staff home. Anything
 * else is the usual error card with its retry.
 */
import { Button, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { ErrorCard } from '../components/state-view';
import { STAFF_PAGES, type StaffPageKey, whoMayUse } from './page-access';
import { STAFF_HOME, type StaffLoadError } from './staff-load';

/** Refusals that the same call again cannot change: the account is not one the page is for. */
const NO_ACCESS: ReadonlySet<string> = new Set(['FORBIDDEN', 'COUNTER_NOT_AT_STORE']);

export interface NoAccessView {
  message: string;
  hint?: string;
}

/**
 * The 没有权限 card's words for a refusal, or null for any other failure: for FORBIDDEN, the roles the page is for
 * (from the access policy), and whom to ask; for an account without a store at the counter, the server's own words.
 */
export function noAccessView(page: StaffPageKey, error: StaffLoadError): NoAccessView | null {
  if (error.code === null || !NO_ACCESS.has(error.code)) return null;
  return error.code === 'FORBIDDEN'
    ? { message: whoMayUse(STAFF_PAGES[page]), hint: '如需使用，请联系总部管理员调整账号角色' }
    : { message: error.message };
}

/** Whether a page's load was refused for the account: its search and filters are then left out with the data. */
export const isRefused = (page: StaffPageKey, error: StaffLoadError | null): boolean =>
  error !== null && noAccessView(page, error) !== null;

export function NoAccessCard({ message, hint }: NoAccessView) {
  return (
    <View className="ml-card ml-error staff-no-access" data-testid="no-access">
      <View className="ml-error__icon staff-no-access__icon">!</View>
      <View className="ml-error__title">没有权限</View>
      <View className="ml-error__message" data-testid="no-access-message">
        {message}
      </View>
      {hint ? <View className="staff-no-access__hint">{hint}</View> : null}
      <Button
        className="ml-btn ml-btn--primary ml-error__retry"
        onClick={() => Taro.reLaunch({ url: STAFF_HOME })}
        data-testid="no-access-home"
      >
        返回工作台
      </Button>
    </View>
  );
}

export function StaffErrorCard({
  page,
  error,
  onRetry,
}: {
  page: StaffPageKey;
  error: StaffLoadError;
  onRetry: () => void;
}) {
  const noAccess = noAccessView(page, error);
  if (noAccess) return <NoAccessCard {...noAccess} />;
  return <ErrorCard message={error.message} requestId={error.requestId} onRetry={onRetry} />;
}
