import { createRouter, createWebHistory, type RouterHistory } from 'vue-router';
import { handleLoadFailures } from './load-failure';
import { routeTitle, setPageTitle } from './page-title';
import { routes } from './routes';

export function createAppRouter(history: RouterHistory = createWebHistory(import.meta.env.BASE_URL)) {
  const router = createRouter({
    history,
    routes,
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  });
  router.afterEach((to) => setPageTitle(routeTitle(to)));
  handleLoadFailures(router);
  return router;
}
