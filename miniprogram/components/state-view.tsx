import { Button, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import './state-view.scss';

const LINE_KEYS = ['l1', 'l2', 'l3', 'l4', 'l5'];

/** A calm placeholder shaped like the content while it loads (no spinner flashing for fast answers). */
export function LoadingCard({ lines = 3 }: { lines?: number }) {
  return (
    <View className="ml-card ml-loading" data-testid="loading">
      <View className="ml-loading__title" />
      {LINE_KEYS.slice(0, lines).map((key) => (
        <View key={key} className="ml-loading__line" />
      ))}
      <View className="ml-loading__text">正在加载…</View>
    </View>
  );
}

export interface ErrorCardProps {
  title?: string;
  message: string;
  /** shown small so staff can quote it to support */
  requestId?: string;
  actionText?: string;
  onRetry?: () => void;
}

export function ErrorCard({
  title = '加载失败',
  message,
  requestId,
  actionText = '重新加载',
  onRetry,
}: ErrorCardProps) {
  return (
    <View className="ml-card ml-error" data-testid="error">
      <View className="ml-error__icon">!</View>
      <View className="ml-error__title">{title}</View>
      <View className="ml-error__message">{message}</View>
      {requestId ? <View className="ml-error__rid">请求编号 {requestId}</View> : null}
      {onRetry ? (
        <Button className="ml-btn ml-btn--primary ml-error__retry" onClick={onRetry} data-testid="retry">
          {actionText}
        </Button>
      ) : null}
    </View>
  );
}

/**
 * The error card for a page that logs in first: a cancelled WeChat login asks to log in again, anything else
 * shows the page's own failure title and retry text.
 */
export function PageErrorCard({
  error,
  onRetry,
  title = '加载失败',
  actionText = '重新加载',
}: {
  error: { message: string; requestId?: string; cancelled: boolean };
  onRetry: () => void;
  title?: string;
  actionText?: string;
}) {
  return (
    <ErrorCard
      title={error.cancelled ? '尚未登录' : title}
      message={error.message}
      requestId={error.requestId}
      actionText={error.cancelled ? '微信登录' : actionText}
      onRetry={onRetry}
    />
  );
}

/** For a page of members only, opened before signing up: what signing up gives, and the way there. */
export function SignupCard({ title, hint, testid }: { title: string; hint?: string; testid: string }) {
  return (
    <View className="ml-card ml-error" data-testid={testid}>
      <View className="ml-error__title">{title}</View>
      {hint ? <View className="ml-error__message">{hint}</View> : null}
      <Button
        className="ml-btn ml-btn--primary ml-error__retry"
        onClick={() => Taro.redirectTo({ url: '/pages/signup/index' })}
        data-testid="go-signup"
      >
        立即注册
      </Button>
    </View>
  );
}

export interface Tile {
  key: string;
  label: string;
  /** one character drawn in the tile's circle */
  glyph: string;
  /** undefined while the feature has no page yet: the tile is shown disabled with 即将上线 */
  url?: string;
}

export function TileGrid({ tiles, onOpen }: { tiles: Tile[]; onOpen: (url: string) => void }) {
  return (
    <View className="ml-card ml-tiles">
      {tiles.map((tile) => (
        <View
          key={tile.key}
          className={`ml-tile${tile.url ? '' : ' ml-tile--soon'}`}
          data-testid={`tile-${tile.key}`}
          onClick={() => tile.url && onOpen(tile.url)}
        >
          <View className="ml-tile__glyph">{tile.glyph}</View>
          <View className="ml-tile__label">{tile.label}</View>
          {tile.url ? null : <View className="ml-tile__badge">即将上线</View>}
        </View>
      ))}
    </View>
  );
}
