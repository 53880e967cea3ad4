export default definePageConfig({
  navigationBarTitleText: '药店会员中心',
  enableShareAppMessage: true,
});
