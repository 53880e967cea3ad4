export default definePageConfig({ navigationBarTitleText: '隔离的异常数据' });
