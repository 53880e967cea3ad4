export default definePageConfig({ navigationBarTitleText: '确认会员卡' });
