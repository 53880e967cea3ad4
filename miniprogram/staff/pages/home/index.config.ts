// the page names itself by role once the profile is read (门店工作台 / 区域工作台 / 总部工作台)
export default definePageConfig({ navigationBarTitleText: '工作台' });
