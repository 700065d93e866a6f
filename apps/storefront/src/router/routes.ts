import type { RouteRecordRaw } from 'vue-router';
import CatalogView from '../views/CatalogView.vue';

/** The catalog is the landing page, so it ships in the entry chunk; the rest load on demand. */
export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'catalog', component: CatalogView, meta: { title: '商品' } },
  {
    path: '/products/:id',
    name: 'product',
    component: () => import('../views/ProductView.vue'),
    props: true,
    meta: { title: '商品详情' },
  },
  { path: '/cart', name: 'cart', component: () => import('../views/CartView.vue'), meta: { title: '购物车' } },
  {
    path: '/checkout',
    name: 'checkout',
    component: () => import('../views/CheckoutView.vue'),
    meta: { title: '确认订单' },
  },
  {
    path: '/orders/:outTradeNo/pay',
    name: 'order-pay',
    component: () => import('../views/PayView.vue'),
    props: true,
    meta: { title: '支付' },
  },
  {
    path: '/orders/:outTradeNo',
    name: 'order-detail',
    component: () => import('../views/OrderDetailView.vue'),
    props: true,
    meta: { title: '订单详情' },
  },
  {
    path: '/orders/:outTradeNo/result',
    name: 'order-result',
    component: () => import('../views/ResultView.vue'),
    props: true,
    meta: { title: '支付结果' },
  },
  { path: '/orders', name: 'orders', component: () => import('../views/OrdersView.vue'), meta: { title: '我的订单' } },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('../views/NotFoundView.vue'),
    meta: { title: '页面不存在' },
  },
];
