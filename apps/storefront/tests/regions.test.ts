/** The region picker's data: which area code it opens on for an address's names, and names back from its options. */
import { describe, expect, it } from 'vitest';
import { areaCodeOf, loadAreaList, regionNamesOf } from '../src/checkout/regions';

describe('areaCodeOf', () => {
  it('finds the district under its own city and province (天河区 of 广州市, 广东省)', async () => {
    const list = await loadAreaList();
    expect(areaCodeOf(list, { province: '广东省', city: '广州市', district: '天河区' })).toBe('440106');
    // 朝阳区 exists in 北京市 and in 长春市: the one under the named city is meant.
    expect(areaCodeOf(list, { province: '吉林省', city: '长春市', district: '朝阳区' })).toBe('220104');
  });

  it('stops at the deepest level it finds: no district (东莞市), an unknown city, no or a foreign province', async () => {
    const list = await loadAreaList();
    expect(areaCodeOf(list, { province: '广东省', city: '东莞市', district: '' })).toBe('441900');
    expect(areaCodeOf(list, { province: '广东省', city: '不存在市', district: '天河区' })).toBe('440000');
    expect(areaCodeOf(list, { province: '', city: '', district: '' })).toBe('');
    expect(areaCodeOf(list, { province: 'Guangdong', city: '广州市', district: '天河区' })).toBe('');
  });
});

it('regionNamesOf reads the confirmed options, empty where a level is missing', () => {
  expect(regionNamesOf([{ text: '四川省' }, { text: '成都市' }, { text: '武侯区' }])).toEqual({
    province: '四川省',
    city: '成都市',
    district: '武侯区',
  });
  expect(regionNamesOf([{ text: '四川省' }, undefined])).toEqual({ province: '四川省', city: '', district: '' });
});
