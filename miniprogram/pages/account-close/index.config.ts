export default definePageConfig({
  navigationBarTitleText: '注销会员',
});
