/** Routes of the console; every page but sign-in needs a signed-in operator. */
import { createRouter, createWebHistory } from 'vue-router';
import { useSession } from './stores/session';

export const router = createRouter({
  history: createWebHistory('/admin/'),
  routes: [
    { path: '/', redirect: '/today' },
    { path: '/sign-in', component: () => import('./views/SignInView.vue'), meta: { public: true } },
    // The chart library is loaded with this page only.
    { path: '/today', component: () => import('./views/TodayView.vue') },
    { path: '/orders', component: () => import('./views/OrdersView.vue') },
    { path: '/orders/:outTradeNo', component: () => import('./views/OrderView.vue'), props: true },
    { path: '/audit', component: () => import('./views/AuditView.vue') },
    { path: '/bills', component: () => import('./views/BillsView.vue') },
  ],
});

router.beforeEach(async (to) => {
  const session = useSession();
  if (!session.checked) await session.load();
  if (!to.meta.public && !session.me) return { path: '/sign-in', query: { next: to.fullPath } };
  return true;
});
