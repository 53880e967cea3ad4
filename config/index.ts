import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';
import devConfig from './dev';
import prodConfig from './prod';

const root = process.cwd();
const sharedDir = path.resolve(root, 'shared');

/** NutUI is drawn on a 375 px design, our pages on 750 px. */
const designWidth = (input?: unknown): number => {
  const file = (input as { file?: string } | undefined)?.file?.replace(/\\+/g, '/') ?? '';
  return file.includes('@nutui') ? 375 : 750;
};

// shared/ is authored as NodeNext ESM (`./errors.js` pointing at errors.ts): webpack must try .ts first.
const extensionAlias = { '.js': ['.ts', '.tsx', '.js'] };

export default defineConfig<'webpack5'>(async (merge, { mode }) => {
  const base: UserConfigExport<'webpack5'> = {
    projectName: 'medloop',
    date: '2025-11-25',
    designWidth,
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'miniprogram',
    outputRoot: `dist/${process.env.TARO_ENV}`,
    plugins: [],
    // Only TARO_APP_* reaches the client bundle; defaults here so an unset variable never leaves a bare
    // `process.env.X` (there is no `process` in the browser).
    defineConstants: {
      'process.env.TARO_APP_API_BASE': JSON.stringify(process.env.TARO_APP_API_BASE ?? ''),
      'process.env.TARO_APP_WX_APPID': JSON.stringify(process.env.TARO_APP_WX_APPID || 'wxmedloopdemo0001'),
    },
    alias: { '@shared': sharedDir },
    copy: { patterns: [], options: {} },
    framework: 'react',
    compiler: {
      type: 'webpack5',
      // Without this, dev/watch builds prebundle all of NutUI into the main package (3.4 MB).
      prebundle: { exclude: ['@nutui/nutui-react-taro', '@nutui/icons-react-taro'] },
    },
    cache: { enable: false },
    mini: {
      compile: { include: [sharedDir] },
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: {
          enable: false,
          config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' },
        },
      },
      webpackChain(chain) {
        chain.resolve.set('extensionAlias', extensionAlias);
      },
    },
    h5: {
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      compile: { include: [sharedDir] },
      output: { filename: 'js/[name].[hash:8].js', chunkFilename: 'js/[name].[chunkhash:8].js' },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[hash].css',
        chunkFilename: 'css/[name].[chunkhash].css',
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        // The root font size follows the screen's shorter side up to this cap. Taro's default cap, 40 px, draws a
        // desktop like a 750 px phone: body text at 32 px on the managers' web console. At 24 px a phone of 390 px
        // or less is drawn as before (its root is under the cap) and a desktop at the size of a 450 px phone.
        pxtransform: { enable: true, config: { maxRootSize: 24 } },
        cssModules: {
          enable: false,
          config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' },
        },
      },
      webpackChain(chain) {
        chain.resolve.set('extensionAlias', extensionAlias);
      },
    },
  };
  return merge({}, base, mode === 'development' || process.env.NODE_ENV === 'development' ? devConfig : prodConfig);
});
