export default definePageConfig({ navigationBarTitleText: '数据对接状态' });
