/** The test addresses `wx.openAddress` offers, in WeChat's field names (userName, telNumber, countryName = district…). */
export interface WechatAddress {
  userName: string;
  postalCode: string;
  provinceName: string;
  cityName: string;
  /** WeChat's name for the district (区/县). */
  countryName: string;
  detailInfo: string;
  nationalCode: string;
  telNumber: string;
}

export const TEST_ADDRESSES: readonly WechatAddress[] = [
  {
    userName: '张三',
    postalCode: '510620',
    provinceName: '广东省',
    cityName: '广州市',
    countryName: '天河区',
    detailInfo: '天河路 385 号 太古汇 1 座 2001 室',
    nationalCode: '440106',
    telNumber: '13800138000',
  },
  {
    userName: '李四',
    postalCode: '100010',
    provinceName: '北京市',
    cityName: '北京市',
    countryName: '东城区',
    detailInfo: '王府井大街 1 号',
    nationalCode: '110101',
    telNumber: '13912345678',
  },
  // Markup in a saved address is legal in WeChat; this one catches pages that render it unescaped.
  {
    userName: '<b>Tom</b>',
    postalCode: '',
    provinceName: '广东省',
    cityName: '东莞市',
    countryName: '',
    detailInfo: '南城街道 <img src=x onerror=alert(1)> 8 号',
    nationalCode: '441900',
    telNumber: '15000000000',
  },
];
