/**
 * China's provinces, cities and districts from Vant's maintained dataset (@vant/area-data), in the shape Vant's
 * Area picker takes, loaded on demand; and the way between a picked area code and the names an address keeps.
 */
import type { AreaList } from 'vant';

let areaList: Promise<AreaList> | null = null;

/** The dataset, fetched as its own chunk the first time it is needed; a failed fetch is tried again next time. */
export function loadAreaList(): Promise<AreaList> {
  areaList ??= import('@vant/area-data').then(
    (data) => data.areaList,
    (err: unknown) => {
      areaList = null;
      throw err;
    },
  );
  return areaList;
}

export interface RegionNames {
  province: string;
  city: string;
  district: string;
}

/**
 * The area code Area should open on for these names: the district's, else the city's or province's (the picker
 * then starts at that level's first entry), else '' (the first province). Codes are 6 digits: 2 for the
 * province, 2 for the city, 2 for the district.
 */
export function areaCodeOf(list: AreaList, names: RegionNames): string {
  const find = (table: Record<string, string> | undefined, name: string, prefix: string) =>
    name ? Object.keys(table ?? {}).find((code) => code.startsWith(prefix) && table![code] === name) : undefined;
  const province = find(list.province_list, names.province, '');
  if (!province) return '';
  const city = find(list.city_list, names.city, province.slice(0, 2));
  if (!city) return province;
  return find(list.county_list, names.district, city.slice(0, 4)) ?? city;
}

/** The names of what the picker confirmed (province, city, district), '' for a level it did not give. */
export function regionNamesOf(options: readonly ({ text?: string | number } | undefined)[]): RegionNames {
  const [province, city, district] = options.map((o) => String(o?.text ?? ''));
  return { province: province ?? '', city: city ?? '', district: district ?? '' };
}
