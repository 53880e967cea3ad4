/**
 * The demo product catalogue: real generic names and WHO ATC codes, several brands and pack sizes per generic.
 * Deterministic (no PRNG): SKU numbers follow declaration order, so adding a generic at the end keeps old SKUs.
 */

export type Condition = 'hypertension' | 'diabetes' | 'lipids' | 'respiratory' | 'cardio' | 'thyroid';
export type ProductKind = 'chronic' | 'acute' | 'otc' | 'goods';

export interface DemoProduct {
  id: string;
  sku: string;
  name: string;
  genericName: string;
  atcCode: string | null;
  rx: boolean;
  category: string;
  packSize: number;
  /** units per day at the labelled dose; null for as-needed products */
  dailyDose: number | null;
  /** floor(packSize / dailyDose) for chronic products; null for acute or as-needed ones */
  daysSupply: number | null;
  priceFen: number;
  kind: ProductKind;
  /** the chronic condition a regular buyer of this product is treated for */
  condition: Condition | null;
}

interface Generic {
  generic: string;
  atc: string | null;
  category: string;
  rx: boolean;
  kind: ProductKind;
  condition?: Condition;
  strength: string;
  unit: string;
  dailyDose: number | null;
  packs: number[];
  /** price of one unit (tablet, capsule, sachet, dose…) in fen, before the brand's premium */
  unitFen: number;
  brands: string[];
}

const g = (
  generic: string,
  atc: string | null,
  category: string,
  kind: ProductKind,
  rx: boolean,
  strength: string,
  unit: string,
  dailyDose: number | null,
  packs: number[],
  unitFen: number,
  brands: string[],
  condition?: Condition,
): Generic => ({ generic, atc, category, kind, rx, strength, unit, dailyDose, packs, unitFen, brands, condition });

const HTN = 'hypertension' as const;
const DM = 'diabetes' as const;
const LIP = 'lipids' as const;
const RESP = 'respiratory' as const;

const GENERICS: Generic[] = [
  // antihypertensives C02–C09
  g('苯磺酸氨氯地平片', 'C08CA01', '心血管', 'chronic', true, '5mg', '片', 1, [7, 14, 28], 180, ['络活喜', '施慧达', '压氏达', '京新'], HTN),
  g('硝苯地平控释片', 'C08CA05', '心血管', 'chronic', true, '30mg', '片', 1, [7, 14], 420, ['拜新同', '欣然'], HTN),
  g('非洛地平缓释片', 'C08CA02', '心血管', 'chronic', true, '5mg', '片', 1, [10, 20], 300, ['波依定', '康宝得维'], HTN),
  g('缬沙坦胶囊', 'C09CA03', '心血管', 'chronic', true, '80mg', '粒', 1, [7, 14, 28], 350, ['代文', '穗悦', '华润双鹤'], HTN),
  g('氯沙坦钾片', 'C09CA01', '心血管', 'chronic', true, '50mg', '片', 1, [7, 14], 380, ['科素亚', '缓宁'], HTN),
  g('厄贝沙坦片', 'C09CA04', '心血管', 'chronic', true, '150mg', '片', 1, [7, 14, 28], 300, ['安博维', '吉加', '恒瑞'], HTN),
  g('替米沙坦片', 'C09CA07', '心血管', 'chronic', true, '80mg', '片', 1, [7, 14], 390, ['美卡素', '立文'], HTN),
  g('厄贝沙坦氢氯噻嗪片', 'C09DA04', '心血管', 'chronic', true, '150mg/12.5mg', '片', 1, [7, 14], 420, ['安博诺', '依伦平'], HTN),
  g('培哚普利叔丁胺片', 'C09AA04', '心血管', 'chronic', true, '4mg', '片', 1, [15, 30], 260, ['雅施达', '施维雅'], HTN),
  g('马来酸依那普利片', 'C09AA02', '心血管', 'chronic', true, '10mg', '片', 1, [16, 32], 90, ['悦宁定', '依苏'], HTN),
  g('贝那普利片', 'C09AA07', '心血管', 'chronic', true, '10mg', '片', 1, [14, 28], 220, ['洛汀新'], HTN),
  g('酒石酸美托洛尔片', 'C07AB02', '心血管', 'chronic', true, '25mg', '片', 2, [20, 60], 35, ['倍他乐克', '美托洛尔(国药)'], HTN),
  g('琥珀酸美托洛尔缓释片', 'C07AB02', '心血管', 'chronic', true, '47.5mg', '片', 1, [7, 28], 260, ['倍他乐克缓释'], HTN),
  g('富马酸比索洛尔片', 'C07AB07', '心血管', 'chronic', true, '5mg', '片', 1, [10, 18, 30], 240, ['康忻', '博苏'], HTN),
  g('氢氯噻嗪片', 'C03AA03', '心血管', 'chronic', true, '25mg', '片', 1, [30, 100], 12, ['双氢克尿塞(信谊)', '天津力生'], HTN),
  g('吲达帕胺缓释片', 'C03BA11', '心血管', 'chronic', true, '1.5mg', '片', 1, [10, 30], 190, ['纳催离', '寿比山'], HTN),
  // antidiabetics A10
  g('盐酸二甲双胍片', 'A10BA02', '降糖', 'chronic', true, '0.5g', '片', 3, [20, 48, 60], 40, ['格华止', '美迪康', '天方'], DM),
  g('盐酸二甲双胍缓释片', 'A10BA02', '降糖', 'chronic', true, '0.5g', '片', 2, [30, 60], 70, ['泰白', '倍顺'], DM),
  g('格列美脲片', 'A10BB12', '降糖', 'chronic', true, '2mg', '片', 1, [15, 30], 260, ['亚莫利', '万苏平'], DM),
  g('格列齐特缓释片', 'A10BB09', '降糖', 'chronic', true, '30mg', '片', 1, [30, 60], 130, ['达美康', '意施丁'], DM),
  g('阿卡波糖片', 'A10BF01', '降糖', 'chronic', true, '50mg', '片', 3, [30, 60], 180, ['拜唐苹', '卡博平'], DM),
  g('磷酸西格列汀片', 'A10BH01', '降糖', 'chronic', true, '100mg', '片', 1, [7, 14, 28], 640, ['捷诺维'], DM),
  g('西格列汀二甲双胍片', 'A10BD07', '降糖', 'chronic', true, '50mg/850mg', '片', 2, [28, 56], 380, ['捷诺达'], DM),
  g('达格列净片', 'A10BK01', '降糖', 'chronic', true, '10mg', '片', 1, [14, 28], 420, ['安达唐', '齐鲁'], DM),
  g('恩格列净片', 'A10BK03', '降糖', 'chronic', true, '10mg', '片', 1, [10, 30], 450, ['欧唐静'], DM),
  g('甘精胰岛素注射液', 'A10AE04', '降糖', 'chronic', true, '3ml:300U 笔芯', 'U', 20, [300, 1500], 25, ['来得时', '长秀霖', '优乐灵'], DM),
  g('门冬胰岛素注射液', 'A10AB05', '降糖', 'chronic', true, '3ml:300U 笔芯', 'U', 24, [300, 1500], 22, ['诺和锐', '锐秀霖'], DM),
  g('精蛋白人胰岛素混合注射液(30R)', 'A10AD01', '降糖', 'chronic', true, '3ml:300U 笔芯', 'U', 30, [300, 1500], 18, ['诺和灵30R', '甘舒霖30R'], DM),
  // statins C10AA
  g('阿托伐他汀钙片', 'C10AA05', '调脂', 'chronic', true, '20mg', '片', 1, [7, 14, 28], 420, ['立普妥', '阿乐', '优力平'], LIP),
  g('瑞舒伐他汀钙片', 'C10AA07', '调脂', 'chronic', true, '10mg', '片', 1, [7, 14, 28], 380, ['可定', '托妥', '京诺'], LIP),
  g('辛伐他汀片', 'C10AA01', '调脂', 'chronic', true, '20mg', '片', 1, [7, 14], 160, ['舒降之', '京必舒新'], LIP),
  g('匹伐他汀钙片', 'C10AA08', '调脂', 'chronic', true, '2mg', '片', 1, [7, 14], 450, ['力清之'], LIP),
  // asthma / COPD R03
  g('沙美特罗替卡松粉吸入剂', 'R03AK06', '呼吸', 'chronic', true, '50μg/250μg 60吸', '吸', 2, [60], 420, ['舒利迭'], RESP),
  g('布地奈德福莫特罗粉吸入剂', 'R03AK07', '呼吸', 'chronic', true, '160μg/4.5μg 60吸', '吸', 2, [60, 120], 400, ['信必可都保'], RESP),
  g('孟鲁司特钠片', 'R03DC03', '呼吸', 'chronic', true, '10mg', '片', 1, [5, 10, 30], 560, ['顺尔宁', '顺坦', '白三平'], RESP),
  g('噻托溴铵粉雾剂', 'R03BB04', '呼吸', 'chronic', true, '18μg', '粒', 1, [10, 30], 1500, ['思力华', '天晴速乐'], RESP),
  g('硫酸沙丁胺醇吸入气雾剂', 'R03AC02', '呼吸', 'chronic', true, '100μg 200揿', '揿', null, [200], 14, ['万托林'], RESP),
  // other long-term medicines
  g('阿司匹林肠溶片', 'B01AC06', '心血管', 'chronic', true, '100mg', '片', 1, [30], 55, ['拜阿司匹灵', '阿司匹林(石药)'], 'cardio'),
  g('硫酸氢氯吡格雷片', 'B01AC04', '心血管', 'chronic', true, '75mg', '片', 1, [7, 28], 600, ['波立维', '泰嘉'], 'cardio'),
  g('左甲状腺素钠片', 'H03AA01', '内分泌', 'chronic', true, '50μg', '片', 1, [100], 30, ['优甲乐', '雷替斯'], 'thyroid'),
  // acute prescription medicines
  g('阿莫西林胶囊', 'J01CA04', '抗感染', 'acute', true, '0.25g', '粒', null, [24, 36, 50], 35, ['阿莫仙', '联邦阿莫灵', '石药'], undefined),
  g('阿莫西林克拉维酸钾片', 'J01CR02', '抗感染', 'acute', true, '0.375g', '片', null, [12, 18], 160, ['安奇', '奥格门汀'], undefined),
  g('头孢克肟胶囊', 'J01DD08', '抗感染', 'acute', true, '100mg', '粒', null, [6, 12], 280, ['世福素', '达力芬'], undefined),
  g('头孢呋辛酯片', 'J01DC02', '抗感染', 'acute', true, '0.25g', '片', null, [6, 12], 330, ['西力欣', '伏乐新'], undefined),
  g('头孢克洛缓释片', 'J01DC04', '抗感染', 'acute', true, '0.375g', '片', null, [6, 12], 300, ['希刻劳', '新达罗'], undefined),
  g('阿奇霉素片', 'J01FA10', '抗感染', 'acute', true, '0.25g', '片', null, [6], 420, ['希舒美', '维宏'], undefined),
  g('左氧氟沙星片', 'J01MA12', '抗感染', 'acute', true, '0.5g', '片', null, [4, 6], 500, ['可乐必妥', '来立信'], undefined),
  g('奥美拉唑肠溶胶囊', 'A02BC01', '消化', 'acute', true, '20mg', '粒', null, [7, 14], 300, ['洛赛克', '奥克'], undefined),
  g('泮托拉唑钠肠溶片', 'A02BC02', '消化', 'acute', true, '40mg', '片', null, [7, 14], 320, ['泮立苏', '潘妥洛克'], undefined),
  g('醋酸泼尼松片', 'H02AB07', '内分泌', 'acute', true, '5mg', '片', null, [100], 8, ['信谊'], undefined),
  // OTC
  g('布洛芬缓释胶囊', 'M01AE01', '解热镇痛', 'otc', false, '0.3g', '粒', null, [20, 24], 90, ['芬必得', '中美史克'], undefined),
  g('布洛芬混悬液', 'M01AE01', '解热镇痛', 'otc', false, '100ml:2g', '瓶', null, [1], 2600, ['美林'], undefined),
  g('对乙酰氨基酚片', 'N02BE01', '解热镇痛', 'otc', false, '0.5g', '片', null, [12, 24], 110, ['泰诺林', '必理通'], undefined),
  g('感冒灵颗粒', 'N02BE51', '感冒', 'otc', false, '10g', '袋', null, [9], 190, ['999'], undefined),
  g('复方氨酚烷胺片', 'N02BE51', '感冒', 'otc', false, '复方', '片', null, [10, 20], 160, ['感康', '快克'], undefined),
  g('连花清瘟胶囊', null, '感冒', 'otc', false, '0.35g', '粒', null, [24, 36], 60, ['以岭'], undefined),
  g('板蓝根颗粒', null, '感冒', 'otc', false, '10g', '袋', null, [20], 90, ['白云山', '太极'], undefined),
  g('藿香正气口服液', null, '消化', 'otc', false, '10ml', '支', null, [10], 230, ['太极'], undefined),
  g('健胃消食片', null, '消化', 'otc', false, '0.8g', '片', null, [32, 64], 45, ['江中'], undefined),
  g('蒙脱石散', 'A07BC05', '消化', 'otc', false, '3g', '袋', null, [10], 230, ['思密达', '必奇'], undefined),
  g('氯雷他定片', 'R06AX13', '抗过敏', 'otc', false, '10mg', '片', null, [6, 12], 300, ['开瑞坦', '息斯敏'], undefined),
  g('盐酸西替利嗪片', 'R06AE07', '抗过敏', 'otc', false, '10mg', '片', null, [6, 12], 320, ['仙特明', '西可韦'], undefined),
  g('维生素C片', 'A11GA01', '维生素矿物质', 'otc', false, '0.1g', '片', null, [100], 6, ['维福佳', '养生堂'], undefined),
  g('维生素C泡腾片', 'A11GA01', '维生素矿物质', 'otc', false, '1g', '片', null, [10, 20], 250, ['力度伸'], undefined),
  g('碳酸钙D3片', 'A12AX', '维生素矿物质', 'otc', false, '600mg', '片', null, [30, 60, 100], 90, ['钙尔奇'], undefined),
  g('多维元素片(29)', 'A11AA03', '维生素矿物质', 'otc', false, '复方', '片', null, [30, 60, 100], 180, ['善存'], undefined),
  g('复方草珊瑚含片', null, '咽喉', 'otc', false, '0.44g', '片', null, [24, 36], 45, ['江中'], undefined),
  g('碘伏消毒液', 'D08AG02', '外用', 'otc', false, '100ml', '瓶', null, [1], 850, ['海氏海诺', '利尔康'], undefined),
  g('云南白药气雾剂', null, '外用', 'otc', false, '85g+60g', '盒', null, [1], 4500, ['云南白药'], undefined),
  // non-drug health goods
  g('电子血压计', null, '医疗器械', 'goods', false, '上臂式', '台', null, [1], 22900, ['欧姆龙HEM-7124', '鱼跃YE660'], undefined),
  g('血糖仪', null, '医疗器械', 'goods', false, '含10片试纸', '台', null, [1], 16800, ['罗氏卓越', '三诺安稳'], undefined),
  g('血糖试纸', null, '医疗器械', 'goods', false, '配套', '片', null, [25, 50], 260, ['罗氏卓越', '三诺安稳', '强生稳豪'], undefined),
  g('医用外科口罩', null, '医疗器械', 'goods', false, '独立包装', '只', null, [10, 50], 60, ['稳健', '振德'], undefined),
  g('电子体温计', null, '医疗器械', 'goods', false, '腋下', '支', null, [1], 2900, ['欧姆龙', '鱼跃'], undefined),
  g('医用棉签', null, '医疗器械', 'goods', false, '10cm', '支', null, [100, 200], 4, ['稳健'], undefined),
  g('深海鱼油软胶囊', null, '保健食品', 'goods', false, '1000mg', '粒', null, [100, 200], 120, ['汤臣倍健', '康恩贝'], undefined),
  g('蛋白粉', null, '保健食品', 'goods', false, '450g', '罐', null, [1], 29800, ['汤臣倍健', '康恩贝'], undefined),
];

function buildCatalogue(): DemoProduct[] {
  const products: DemoProduct[] = [];
  let n = 0;
  for (const gen of GENERICS) {
    gen.brands.forEach((brand, bi) => {
      for (const pack of gen.packs) {
        n += 1;
        const sku = `MD${String(100000 + n)}`;
        // originator brands (first listed) carry a premium; bigger packs get a small per-unit discount
        const premium = bi === 0 ? 1.35 : 1 - bi * 0.06;
        const packDiscount = pack >= 28 ? 0.92 : 1;
        const priceFen = Math.max(100, Math.round((gen.unitFen * pack * premium * packDiscount) / 10) * 10);
        const chronic = gen.kind === 'chronic';
        const daysSupply = chronic && gen.dailyDose ? Math.floor(pack / gen.dailyDose) : null;
        const packLabel = gen.unit === 'U' ? `${pack / 300}支` : `${pack}${gen.unit}`;
        products.push({
          id: `prd_${sku.toLowerCase()}`,
          sku,
          name: `${brand} ${gen.generic} ${gen.strength}×${packLabel}`,
          genericName: gen.generic,
          atcCode: gen.atc,
          rx: gen.rx,
          category: gen.category,
          packSize: pack,
          dailyDose: gen.dailyDose,
          daysSupply,
          priceFen,
          kind: gen.kind,
          condition: gen.condition ?? null,
        });
      }
    });
  }
  return products;
}

export const DEMO_PRODUCTS: readonly DemoProduct[] = buildCatalogue();

export const PRODUCTS_BY_SKU: ReadonlyMap<string, DemoProduct> = new Map(DEMO_PRODUCTS.map((p) => [p.sku, p]));

/** Chronic products a refill schedule can follow (as-needed inhalers excluded: no days supply). */
export function chronicProductsFor(condition: Condition): DemoProduct[] {
  return DEMO_PRODUCTS.filter((p) => p.condition === condition && p.daysSupply !== null);
}
