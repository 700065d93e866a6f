/** China's provinces, cities and districts from Vant's maintained dataset (@vant/area-data), loaded on demand. */
export interface Region {
  code: string;
  name: string;
  children?: Region[];
}

let regions: Promise<Region[]> | null = null;

/** The tree, fetched as its own chunk the first time the address form opens. */
export function loadRegions(): Promise<Region[]> {
  regions ??= import('@vant/area-data').then(({ useCascaderAreaData }) => {
    const toRegion = (o: { text: string; value: string; children?: unknown[] }): Region => ({
      code: o.value,
      name: o.text,
      ...(o.children ? { children: (o.children as (typeof o)[]).map(toRegion) } : {}),
    });
    return useCascaderAreaData().map(toRegion);
  });
  return regions;
}
