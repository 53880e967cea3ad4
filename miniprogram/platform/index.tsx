// Kept as .tsx on purpose: Taro tries each extension in turn, so an index.ts would win over index.h5.tsx.
// Type-checking entry only. Taro resolves `./platform` to index.weapp.tsx or index.h5.tsx by TARO_ENV;
// both files export the same PlatformModule shape (checked with `satisfies`).
export * from './index.weapp';
export { default } from './index.weapp';
