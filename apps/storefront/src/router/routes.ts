import type { RouteRecordRaw } from 'vue-router';
import CatalogView from '../views/CatalogView.vue';

declare module 'vue-router' {
  interface RouteMeta {
    title?: string;
    /** A top-level page (首页 / 购物车 / 我的): the bottom tab bar shows, the header has no back. */
    tab?: boolean;
    /** Where the header's back goes when there is no in-app page to go back to (a shared link). */
    up?: string;
  }
}

/** The catalog is the landing page, so it ships in the entry chunk; the rest load on demand. */
export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'catalog', component: CatalogView, meta: { title: '商品', tab: true } },
  {
    path: '/products/:id',
    name: 'product',
    component: () => import('../views/ProductView.vue'),
    props: true,
    meta: { title: '商品详情', up: '/' },
  },
  {
    path: '/cart',
    name: 'cart',
    component: () => import('../views/CartView.vue'),
    meta: { title: '购物车', tab: true },
  },
  {
    path: '/checkout',
    name: 'checkout',
    component: () => import('../views/CheckoutView.vue'),
    meta: { title: '确认订单', up: '/cart' },
  },
  {
    path: '/orders/:outTradeNo/pay',
    name: 'order-pay',
    component: () => import('../views/PayView.vue'),
    props: true,
    meta: { title: '支付', up: '/orders' },
  },
  {
    path: '/orders/:outTradeNo',
    name: 'order-detail',
    component: () => import('../views/OrderDetailView.vue'),
    props: true,
    meta: { title: '订单详情', up: '/orders' },
  },
  {
    path: '/orders/:outTradeNo/result',
    name: 'order-result',
    component: () => import('../views/ResultView.vue'),
    props: true,
    meta: { title: '支付结果', up: '/orders' },
  },
  {
    path: '/orders',
    name: 'orders',
    component: () => import('../views/OrdersView.vue'),
    meta: { title: '我的订单', up: '/mine' },
  },
  { path: '/mine', name: 'mine', component: () => import('../views/MineView.vue'), meta: { title: '我的', tab: true } },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('../views/NotFoundView.vue'),
    meta: { title: '页面不存在', tab: true },
  },
];
