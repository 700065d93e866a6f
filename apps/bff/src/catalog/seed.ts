/**
 * The six demo products. Prices are integer fen and live only on the server. Seeded by migration
 * 002, before `test_only` existed; migration 007 marks the sticker test-only, and 015 gives them pictures
 * and details (demo-pages.ts). All ship (`ships`, migration 017).
 */
import type { ProductRow } from '../db/schema';

function tile(label: string, from: string, to: string): string {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360" viewBox="0 0 480 360">` +
    `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/>` +
    `<stop offset="1" stop-color="${to}"/></linearGradient></defs>` +
    `<rect width="480" height="360" rx="24" fill="url(#g)"/>` +
    `<text x="240" y="200" font-size="64" text-anchor="middle" fill="#fff" font-family="sans-serif">${label}</text></svg>`;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** As migration 002 inserted them; the columns added later have their defaults there. */
export const DEMO_PRODUCTS: Omit<ProductRow, 'test_only' | 'gallery' | 'details' | 'seven_day_returns' | 'ships'>[] = [
  {
    id: 'sticker',
    name: '测试贴纸',
    description: '一分钱测试商品，用于验证支付流程。',
    price_fen: 1,
    image_url: tile('贴纸', '#07c160', '#06ad56'),
    stock: 999,
    sort_order: 1,
  },
  {
    id: 'green-tea',
    name: '西湖龙井',
    description: '明前龙井 50 克装，清香回甘。',
    price_fen: 990,
    image_url: tile('龙井', '#4caf50', '#2e7d32'),
    stock: 200,
    sort_order: 2,
  },
  {
    id: 'mug',
    name: '陶瓷马克杯',
    description: '景德镇手工陶瓷，容量 350 毫升。',
    price_fen: 2990,
    image_url: tile('马克杯', '#ff9800', '#e65100'),
    stock: 120,
    sort_order: 3,
  },
  {
    id: 'notebook',
    name: '宣纸笔记本',
    description: 'A5 线装，内页 120 张。',
    price_fen: 4590,
    image_url: tile('笔记本', '#795548', '#4e342e'),
    stock: 80,
    sort_order: 4,
  },
  {
    id: 'umbrella',
    name: '油纸伞',
    description: '泸州分水油纸伞，竹骨桐油。',
    price_fen: 12800,
    image_url: tile('油纸伞', '#e91e63', '#880e4f'),
    stock: 40,
    sort_order: 5,
  },
  {
    id: 'teapot',
    name: '紫砂壶',
    description: '宜兴原矿紫砂，容量 220 毫升。',
    price_fen: 39900,
    image_url: tile('紫砂壶', '#673ab7', '#311b92'),
    stock: 10,
    sort_order: 6,
  },
];
