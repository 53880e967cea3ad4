export default definePageConfig({ navigationBarTitleText: '会员合并建议' });
