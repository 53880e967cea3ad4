/**
 * The dependency rule (STYLE.md): shared/ is pure (no I/O, no platform), the mini-program may import shared/
 * but never functions/ or dev/, and the functions never import the mini-program.
 */
module.exports = {
  forbidden: [
    {
      name: 'shared-is-pure',
      comment: 'shared/ holds pure rules and contracts used by both sides: no node built-ins, databases, HTTP or Taro',
      severity: 'error',
      from: { path: '^shared/' },
      to: {
        pathNot: '^shared/',
        path: '^(functions|miniprogram|dev|config|tests)/|node_modules/(drizzle-orm|@neondatabase|@electric-sql|@tarojs|jose|ws|wechatpay-node-v3|@vercel|react|qrcode)/',
      },
    },
    {
      name: 'shared-no-node-builtins',
      severity: 'error',
      from: { path: '^shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'miniprogram-not-server',
      comment: 'the mini-program talks to the functions over HTTP only; server code and secrets never reach the bundle',
      severity: 'error',
      from: { path: '^miniprogram/' },
      to: { path: '^(functions|dev|api|tests)/|^config/env' },
    },
    {
      name: 'functions-not-client',
      severity: 'error',
      from: { path: '^(functions|api)/' },
      to: { path: '^(miniprogram|dev|tests)/|node_modules/@tarojs/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'a relative import that points nowhere (packages are checked by tsc, which knows export conditions)',
      from: { path: '^(shared|functions|miniprogram)/' },
      to: { couldNotResolve: true, pathNot: '^[^./]' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|\\.vercel)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
