export default definePageConfig({ navigationBarTitleText: '新建导入格式' });
