/**
 * Fixed demo chain data. Other code (the WeChat simulator, e2e tests, the staff login flow) relies on these
 * exact ids and phones, so they never come from the PRNG.
 */

export interface DemoRegion {
  id: string;
  name: string;
}

export interface DemoStore {
  id: string;
  code: string;
  name: string;
  regionId: string;
  city: string;
  district: string;
  address: string;
  latitude: number;
  longitude: number;
  phone: string;
}

export type DemoStaffRole = 'clerk' | 'pharmacist' | 'store_manager' | 'regional_manager' | 'hq_admin';

export interface DemoStaff {
  id: string;
  name: string;
  phone: string;
  role: DemoStaffRole;
  storeId: string | null;
  regionId: string | null;
  /** invited: bound to a WeChat openid on the first login with the same phone */
  status: 'invited';
}

export interface DemoSimUser {
  id: string;
  nickname: string;
  phone: string;
}

export const DEMO_REGION_HZ: DemoRegion = { id: 'reg_hz', name: '杭州区域' };
export const DEMO_REGION_NB: DemoRegion = { id: 'reg_nb', name: '宁波区域' };
export const DEMO_REGIONS: readonly DemoRegion[] = [DEMO_REGION_HZ, DEMO_REGION_NB];

const hz = (
  n: number,
  name: string,
  district: string,
  address: string,
  latitude: number,
  longitude: number,
): DemoStore => ({
  id: `sto_${String(n).padStart(3, '0')}`,
  code: `HZ${String(n).padStart(3, '0')}`,
  name,
  regionId: 'reg_hz',
  city: '杭州市',
  district,
  address: `浙江省杭州市${district}${address}`,
  latitude,
  longitude,
  phone: `0571-8${String(7100000 + n * 1013).padStart(7, '0')}`,
});

const nb = (
  n: number,
  storeNo: number,
  name: string,
  district: string,
  address: string,
  latitude: number,
  longitude: number,
): DemoStore => ({
  id: `sto_${String(n).padStart(3, '0')}`,
  code: `NB${String(storeNo).padStart(3, '0')}`,
  name,
  regionId: 'reg_nb',
  city: '宁波市',
  district,
  address: `浙江省宁波市${district}${address}`,
  latitude,
  longitude,
  phone: `0574-8${String(7300000 + n * 1009).padStart(7, '0')}`,
});

/** Hangzhou first (sto_001 is the store every demo flow starts from), then Ningbo. */
export const DEMO_STORES: readonly DemoStore[] = [
  hz(1, '文三路店', '西湖区', '文三路259号', 30.2772, 120.1375),
  hz(2, '古荡店', '西湖区', '文二西路5号', 30.2801, 120.1118),
  hz(3, '湖滨店', '上城区', '延安路228号', 30.2573, 120.1652),
  hz(4, '清泰街店', '上城区', '清泰街560号', 30.2498, 120.1783),
  hz(5, '武林店', '拱墅区', '体育场路370号', 30.2748, 120.1641),
  hz(6, '大关店', '拱墅区', '大关路88号', 30.3092, 120.1497),
  hz(7, '江南大道店', '滨江区', '江南大道3850号', 30.2097, 120.2104),
  hz(8, '长河店', '滨江区', '长河路475号', 30.1953, 120.1982),
  hz(9, '未来科技城店', '余杭区', '文一西路1500号', 30.2898, 120.0047),
  hz(10, '良渚店', '余杭区', '良渚街道古墩路1899号', 30.3716, 120.0329),
  hz(11, '萧山人民路店', '萧山区', '城厢街道人民路318号', 30.1641, 120.2651),
  hz(12, '钱江世纪城店', '萧山区', '民和路945号', 30.2347, 120.2598),
  hz(13, '下沙店', '钱塘区', '下沙路588号', 30.3083, 120.3497),
  hz(14, '临平店', '临平区', '迎宾路336号', 30.4198, 120.3003),
  nb(15, 1, '天一广场店', '海曙区', '中山东路188号', 29.8716, 121.5552),
  nb(16, 2, '江北万达店', '江北区', '大庆南路99号', 29.8902, 121.5498),
  nb(17, 3, '鄞州万达店', '鄞州区', '四明中路999号', 29.8201, 121.5603),
  nb(18, 4, '北仑新碶店', '北仑区', '新大路1088号', 29.9003, 121.8497),
];

export const DEMO_STAFF: readonly DemoStaff[] = [
  {
    id: 'stf_ck01',
    name: '王芳',
    phone: '13900000001',
    role: 'clerk',
    storeId: 'sto_001',
    regionId: null,
    status: 'invited',
  },
  {
    id: 'stf_ph01',
    name: '李明',
    phone: '13900000002',
    role: 'pharmacist',
    storeId: 'sto_001',
    regionId: null,
    status: 'invited',
  },
  {
    id: 'stf_sm01',
    name: '刘洋',
    phone: '13900000003',
    role: 'store_manager',
    storeId: 'sto_001',
    regionId: null,
    status: 'invited',
  },
  {
    id: 'stf_ck02',
    name: '赵静',
    phone: '13900000004',
    role: 'clerk',
    storeId: 'sto_002',
    regionId: null,
    status: 'invited',
  },
  {
    // at the one store whose till is not connected yet: the counter records sales for points there (扫码核销)
    id: 'stf_ck03',
    name: '孙磊',
    phone: '13900000005',
    role: 'clerk',
    storeId: 'sto_018',
    regionId: null,
    status: 'invited',
  },
  {
    id: 'stf_rm01',
    name: '周强',
    phone: '13900000008',
    role: 'regional_manager',
    storeId: null,
    regionId: 'reg_hz',
    status: 'invited',
  },
  {
    id: 'stf_hq01',
    name: '陈敏',
    phone: '13900000009',
    role: 'hq_admin',
    storeId: null,
    regionId: null,
    status: 'invited',
  },
];

const ROLE_LABEL: Record<DemoStaffRole, string> = {
  clerk: '店员',
  pharmacist: '药师',
  store_manager: '店长',
  regional_manager: '区域经理',
  hq_admin: '总部',
};

/** WeChat simulator users: one per staff phone, then members the demo script walks through. */
export const DEMO_SIM_USERS: readonly DemoSimUser[] = [
  ...DEMO_STAFF.map((s) => ({
    id: `u_${s.id.slice('stf_'.length)}`,
    nickname: `${s.name}（${ROLE_LABEL[s.role]}）`,
    phone: s.phone,
  })),
  { id: 'u_zhangwei', nickname: '张伟', phone: '13712345678' },
  { id: 'u_lina', nickname: '李娜', phone: '13698765432' },
  { id: 'u_new', nickname: '新顾客', phone: '15000001234' },
];

/** Phones the generator must never hand to a synthetic person, so demo logins stay unambiguous. */
export const RESERVED_PHONES: ReadonlySet<string> = new Set(DEMO_SIM_USERS.map((u) => u.phone));

export interface DemoPartnerKey {
  id: string;
  source: 'pos' | 'mall' | 'wecom';
  storeId: string | null;
  secret: string;
}

/**
 * The store whose till is not connected to MedLoop yet (a chain connects its tills store by store): it has no POS
 * key, so its clerks serve members and record sales for points at the counter on the staff pages.
 */
export const DEMO_STORE_WITHOUT_TILL = 'sto_018';

/**
 * Demo keys for partner systems: one POS key per store whose till is connected, the online mall and WeCom. The
 * secrets are public demo values (README); production keys are random and issued per store.
 */
export const DEMO_PARTNER_KEYS: readonly DemoPartnerKey[] = [
  ...DEMO_STORES.filter((s) => s.id !== DEMO_STORE_WITHOUT_TILL).map((s) => ({
    id: `key_pos_${s.code.toLowerCase()}`,
    source: 'pos' as const,
    storeId: s.id,
    secret: `demo-pos-secret-${s.code.toLowerCase()}-0123456789abcdef`,
  })),
  { id: 'key_mall', source: 'mall', storeId: null, secret: 'demo-mall-secret-0123456789abcdef0123' },
  { id: 'key_wecom', source: 'wecom', storeId: null, secret: 'demo-wecom-secret-0123456789abcdef012' },
];
