import { createRouter, createWebHistory, type RouterHistory } from 'vue-router';
import { routes } from './routes';

export function createAppRouter(history: RouterHistory = createWebHistory(import.meta.env.BASE_URL)) {
  const router = createRouter({
    history,
    routes,
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  });
  router.afterEach((to) => {
    const title = typeof to.meta.title === 'string' ? to.meta.title : '';
    document.title = title ? `${title} - 微信商城` : '微信商城';
  });
  return router;
}
