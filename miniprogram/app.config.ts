export default defineAppConfig({
  pages: [
    'pages/index/index',
    'pages/signup/index',
    'pages/member-code/index',
    'pages/settings/index',
    'pages/coupons/index',
    'pages/points/index',
    'pages/identity-confirm/index',
    'pages/account-close/index',
  ],
  subPackages: [
    {
      // Staff pages stay out of the main package: members never download them.
      root: 'staff',
      pages: [
        'pages/login/index',
        'pages/home/index',
        'pages/signup-codes/index',
        'pages/coupons/index',
        'pages/identity-suggestions/index',
        'pages/integration-health/index',
        'pages/identity-merges/index',
        'pages/data-quality/index',
        'pages/quarantine/index',
        'pages/imports/index',
        'pages/import-format/index',
        'pages/counter/index',
        'pages/member-close/index',
      ],
    },
  ],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#0f8a7e',
    navigationBarTitleText: '药店会员中心',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f3f7f6',
  },
  lazyCodeLoading: 'requiredComponents',
});
