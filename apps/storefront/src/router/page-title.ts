import type { RouteLocationNormalizedLoaded } from 'vue-router';
import { shopName } from '../lib/shop-name';

/** The page's own title as routes.ts declares it in meta.title, if any. */
export function routeTitle(route: Pick<RouteLocationNormalizedLoaded, 'meta'>): string | undefined {
  return typeof route.meta.title === 'string' && route.meta.title ? route.meta.title : undefined;
}

/**
 * Sets the title WeChat shows in its top bar (and browsers in the tab). The router sets
 * each route's meta.title after every navigation; a view calls this only when what it
 * shows differs from its route's title (e.g. a product that does not exist).
 */
export function setPageTitle(title: string | undefined): void {
  document.title = title ? `${title} - ${shopName()}` : shopName();
}
