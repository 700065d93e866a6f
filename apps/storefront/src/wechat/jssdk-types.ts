/** The part of WeChat's JS-SDK (`wx`, jweixin-1.6.0.js) the shop uses. */
export interface WxResponse {
  errMsg: string;
  [key: string]: unknown;
}

export interface WxCallbacks<T extends WxResponse = WxResponse> {
  success?: (res: T) => void;
  fail?: (res: WxResponse) => void;
  cancel?: (res: WxResponse) => void;
  complete?: (res: WxResponse) => void;
}

/** What `wx.openAddress` answers: WeChat's names (countryName is the district). */
export interface WxAddress extends WxResponse {
  userName: string;
  telNumber: string;
  provinceName: string;
  cityName: string;
  countryName: string;
  detailInfo: string;
  postalCode: string;
}

export interface WxShareCard {
  title: string;
  desc?: string;
  link: string;
  imgUrl: string;
}

export interface Wx {
  config(config: {
    appId: string;
    timestamp: number;
    nonceStr: string;
    signature: string;
    jsApiList: string[];
    debug?: boolean;
  }): void;
  ready(callback: () => void): void;
  error(callback: (res: WxResponse) => void): void;
  openAddress(options: WxCallbacks<WxAddress>): void;
  updateAppMessageShareData(options: WxShareCard & WxCallbacks): void;
  updateTimelineShareData(options: Omit<WxShareCard, 'desc'> & WxCallbacks): void;
  /** Set by the emulator's stand-in. */
  __emulator?: boolean;
}
