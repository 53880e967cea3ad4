import { cleanText } from './text.js';

export interface ParsedAddress {
  province: string | null;
  city: string | null;
  district: string | null;
  /** street, number, building: what follows the district */
  rest: string | null;
}

const MUNICIPALITIES = ['北京市', '上海市', '天津市', '重庆市'];
/** Cities whose province is implied when an address starts at the city (the chain's and its neighbours' cities). */
const CITY_PROVINCE: Record<string, string> = {
  杭州市: '浙江省',
  宁波市: '浙江省',
  温州市: '浙江省',
  绍兴市: '浙江省',
  嘉兴市: '浙江省',
  湖州市: '浙江省',
  金华市: '浙江省',
  台州市: '浙江省',
  衢州市: '浙江省',
  丽水市: '浙江省',
  舟山市: '浙江省',
  苏州市: '江苏省',
  南京市: '江苏省',
  无锡市: '江苏省',
  合肥市: '安徽省',
  广州市: '广东省',
  深圳市: '广东省',
};

const PROVINCE = /^(.{2,3}?省|.{2,8}?自治区|北京市|上海市|天津市|重庆市)/;
const CITY = /^(.{2,8}?(?:市|自治州|地区|盟))/;
const DISTRICT = /^(.{1,8}?(?:新区|区|县|市|旗))/;

/** Splits the common written forms: 省市区, 市区 (province implied), 直辖市区, each part optional after the first. */
export function parseAddress(input: string | null | undefined): ParsedAddress {
  let s = cleanText(input)?.replace(/\s/g, '') ?? null;
  if (s === null) return { province: null, city: null, district: null, rest: null };
  let province: string | null = null;
  let city: string | null = null;
  let district: string | null = null;
  const p = PROVINCE.exec(s);
  if (p) {
    province = p[1];
    s = s.slice(p[1].length);
    if (MUNICIPALITIES.includes(province)) city = province;
  }
  if (city === null) {
    // a bare 区 right after the province would be misread as a city ending in 市 only; require the suffix
    const c = CITY.exec(s);
    if (c && (province !== null || CITY_PROVINCE[c[1]] !== undefined)) {
      city = c[1];
      s = s.slice(c[1].length);
      province ??= CITY_PROVINCE[city] ?? null;
    }
  }
  if (city !== null) {
    const d = DISTRICT.exec(s);
    if (d) {
      district = d[1];
      s = s.slice(d[1].length);
    }
  }
  return { province, city, district, rest: s === '' ? null : s };
}
