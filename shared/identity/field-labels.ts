/**
 * Our record and order fields in HQ's words: the upload formats' field labels (import-fields.ts) and the field a
 * refusal names (refusal.ts). Small on purpose: the mini-program's shared bundle carries it, not the formats' lists.
 */
export const FIELD_LABELS = {
  sourceId: '会员编号',
  cardNo: '会员卡号',
  mallAccount: '商城账号',
  name: '姓名',
  phone: '手机号',
  gender: '性别',
  birthday: '生日',
  email: '邮箱',
  address: '地址',
  storeCode: '门店编码',
  lastActive: '最近消费日期',
  externalId: '单据号',
  orderedAt: '销售时间',
  sku: '商品编码',
  quantity: '数量',
  unitPrice: '单价（元）',
  amount: '金额（元）',
  memberId: '会员卡号',
  productName: '商品名称',
  discount: '整单优惠（元）',
  paid: '实收金额（元）',
  total: '合计金额（元）',
  originalExternalId: '原单号（退货）',
  openid: '微信 openid',
  unionid: '微信 UnionID',
  wecomId: '企业微信客户编号',
  phoneVerified: '手机号是否已验证',
  lines: '商品明细',
} as const;
