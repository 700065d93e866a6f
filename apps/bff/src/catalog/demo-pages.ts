/**
 * What the demo products' pages show beyond seed.ts: pictures drawn in `pictures/`, a longer description,
 * details and whether 七天无理由退货 applies. Applied by migration 015.
 */
import type { ProductDetail } from '@wxpay-shop/contract';

export interface DemoProductPage {
  description: string;
  /** Files in `pictures/`, the main picture first. */
  pictures: string[];
  details: ProductDetail[];
  sevenDayReturns: boolean;
}

export const DEMO_PRODUCT_PAGES: Record<string, DemoProductPage> = {
  sticker: {
    description: '一分钱测试商品，用于验证支付流程。圆形防水贴纸，可贴于手机壳或笔记本。',
    pictures: ['sticker-1.svg', 'sticker-2.svg'],
    details: [
      { label: '规格', value: '直径 5 厘米，圆形' },
      { label: '材质', value: '防水 PVC' },
      { label: '用途', value: '支付流程测试' },
    ],
    // A test item sold at a cent: not a purchase anyone returns.
    sevenDayReturns: false,
  },
  'green-tea': {
    description: '明前龙井 50 克装，清香回甘。扁平光滑的芽叶，冲泡后汤色嫩绿，适合 80 °C 左右的水温。',
    pictures: ['green-tea-1.svg', 'green-tea-2.svg', 'green-tea-3.svg'],
    details: [
      { label: '规格', value: '50 克/罐' },
      { label: '产地', value: '浙江杭州西湖产区' },
      { label: '等级', value: '明前特级' },
      { label: '保质期', value: '18 个月' },
      { label: '储存', value: '密封、避光、冷藏' },
    ],
    // Food, which cannot be resold once opened.
    sevenDayReturns: false,
  },
  mug: {
    description: '景德镇手工陶瓷，容量 350 毫升。釉下青花，耐高温，可用于微波炉和洗碗机。',
    pictures: ['mug-1.svg', 'mug-2.svg'],
    details: [
      { label: '容量', value: '350 毫升' },
      { label: '尺寸', value: '口径 8.5 厘米，高 9.5 厘米' },
      { label: '材质', value: '高温白瓷，釉下彩' },
      { label: '产地', value: '江西景德镇' },
    ],
    sevenDayReturns: true,
  },
  notebook: {
    description: 'A5 线装，内页 120 张。泾县宣纸内页，吸墨不洇，适合钢笔、毛笔与水彩。',
    pictures: ['notebook-1.svg', 'notebook-2.svg'],
    details: [
      { label: '规格', value: 'A5（148 × 210 毫米）' },
      { label: '内页', value: '120 张宣纸，无线格' },
      { label: '装帧', value: '手工线装' },
      { label: '产地', value: '安徽泾县' },
    ],
    sevenDayReturns: true,
  },
  umbrella: {
    description: '泸州分水油纸伞，竹骨桐油。手工刷桐油的皮纸伞面，晴雨两用。',
    pictures: ['umbrella-1.svg', 'umbrella-2.svg'],
    details: [
      { label: '伞面直径', value: '约 100 厘米' },
      { label: '材质', value: '楠竹伞骨，皮纸伞面，桐油' },
      { label: '重量', value: '约 900 克' },
      { label: '产地', value: '四川泸州分水镇' },
    ],
    sevenDayReturns: true,
  },
  teapot: {
    description: '宜兴原矿紫砂，容量 220 毫升。全手工成型，出水顺畅，越养越润。',
    pictures: ['teapot-1.svg', 'teapot-2.svg'],
    details: [
      { label: '容量', value: '220 毫升' },
      { label: '泥料', value: '宜兴原矿紫泥' },
      { label: '工艺', value: '全手工' },
      { label: '产地', value: '江苏宜兴丁蜀镇' },
    ],
    sevenDayReturns: true,
  },
};
