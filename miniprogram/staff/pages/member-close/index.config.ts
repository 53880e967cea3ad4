export default definePageConfig({ navigationBarTitleText: '会员注销' });
