export default definePageConfig({ navigationBarTitleText: '会员合并记录' });
