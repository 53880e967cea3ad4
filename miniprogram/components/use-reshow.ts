import { useDidShow } from '@tarojs/taro';
import { useRef } from 'react';

/**
 * Runs `refresh` each time the page is shown again (back from another page, WeChat back in the foreground after the
 * member showed a code at the till), not on its first show, which the page's own load covers. The page keeps what
 * it shows until the answer arrives.
 */
export function useReshow(refresh: () => void): void {
  const first = useRef(true);
  useDidShow(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    refresh();
  });
}
