// The billers Formica collects for, by city and kind. A biller is named by its `charge_inst` code
// (the public bill data model's name); names and cities in Chinese and English for both UIs.
export const BILL_KINDS = ['water', 'electricity', 'gas', 'telecom', 'property', 'phone_topup'] as const;
export type BillKind = (typeof BILL_KINDS)[number];

export interface Biller {
  readonly chargeInst: string;
  readonly name: string;
  readonly nameEn: string;
  readonly kind: BillKind;
  readonly city: string;
  readonly cityEn: string;
}

export const BILLERS: readonly Biller[] = [
  { chargeInst: 'HZ_ELEC', name: '国网杭州供电公司', nameEn: 'State Grid Hangzhou Power', kind: 'electricity', city: '杭州', cityEn: 'Hangzhou' },
  { chargeInst: 'HZ_WATER', name: '杭州水务集团', nameEn: 'Hangzhou Water Group', kind: 'water', city: '杭州', cityEn: 'Hangzhou' },
  { chargeInst: 'HZ_GAS', name: '杭州市燃气集团', nameEn: 'Hangzhou Gas Group', kind: 'gas', city: '杭州', cityEn: 'Hangzhou' },
  { chargeInst: 'HZ_PROP', name: '绿城物业杭州', nameEn: 'Greentown Property Hangzhou', kind: 'property', city: '杭州', cityEn: 'Hangzhou' },
  { chargeInst: 'SH_ELEC', name: '国网上海市电力公司', nameEn: 'State Grid Shanghai Power', kind: 'electricity', city: '上海', cityEn: 'Shanghai' },
  { chargeInst: 'SH_GAS', name: '上海燃气', nameEn: 'Shanghai Gas', kind: 'gas', city: '上海', cityEn: 'Shanghai' },
  { chargeInst: 'BJ_WATER', name: '北京市自来水集团', nameEn: 'Beijing Waterworks Group', kind: 'water', city: '北京', cityEn: 'Beijing' },
  { chargeInst: 'CN_MOBILE', name: '中国移动', nameEn: 'China Mobile', kind: 'telecom', city: '全国', cityEn: 'Nationwide' },
  { chargeInst: 'CN_TOPUP', name: '话费充值', nameEn: 'Phone top-up', kind: 'phone_topup', city: '全国', cityEn: 'Nationwide' },
];

const BY_CODE = new Map(BILLERS.map((b) => [b.chargeInst, b]));

export function billerOf(chargeInst: string): Biller | undefined {
  return BY_CODE.get(chargeInst);
}

/** Billers of a city (named in either language, any case) and kind; nationwide billers serve every city. */
export function findBillers(filter: { city?: string; kind?: string }): Biller[] {
  const city = filter.city?.trim().toLowerCase();
  return BILLERS.filter((b) => {
    const inCity = !city || b.city === filter.city?.trim() || b.cityEn.toLowerCase() === city || b.cityEn === 'Nationwide';
    return inCity && (!filter.kind || b.kind === filter.kind);
  });
}
