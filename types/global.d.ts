/// <reference types="@tarojs/taro" />

declare module '*.png';
declare module '*.svg';
declare module '*.css';
declare module '*.scss';

declare namespace NodeJS {
  interface ProcessEnv {
    /** Set by Taro at build time: the target platform (optional so Node scripts can build env objects freely). */
    TARO_ENV?: 'weapp' | 'h5' | 'swan' | 'alipay' | 'tt' | 'qq' | 'jd' | 'harmony';
    /** API origin; '' means same origin (H5 served by the local runner). */
    TARO_APP_API_BASE?: string;
    /** Mini-program appid the H5 build presents to the WeChat simulator. */
    TARO_APP_WX_APPID?: string;
  }
}
