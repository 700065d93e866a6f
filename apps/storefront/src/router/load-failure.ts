/**
 * A page's code (a lazy route chunk) that fails to load: the BFF is down, or a deploy removed the
 * chunk this page still asks for. Without this the router only logs it, and taps on links do nothing.
 */
import { shallowRef } from 'vue';
import type { Router } from 'vue-router';
import { sessionStore } from '../lib/session-storage';

/** How Chromium, Safari and Firefox word a failed dynamic import, and Vite's CSS preload. */
const CHUNK_LOAD_ERROR = /dynamically imported module|importing a module script failed|unable to preload css/i;
const RELOAD_KEY = 'wxpay-shop:chunk-reload';

/** The address whose page failed to load, shown with 重试 until a navigation succeeds. */
export const failedNavigation = shallowRef<string>();

/** True when the server answers for the page, so it is the chunk that is gone, not the server. */
const serverAnswers = (href: string): Promise<boolean> =>
  fetch(href, { method: 'HEAD', cache: 'no-store' }).then(
    (response) => response.ok,
    () => false,
  );

export function handleLoadFailures(router: Router): void {
  router.onError(async (error: unknown, to) => {
    if (!CHUNK_LOAD_ERROR.test(String(error))) {
      console.error(error); // a bug, not a load failure: the router logs it only when nobody listens
      return;
    }
    failedNavigation.value = to.fullPath;
    // After a deploy the old chunks are gone while the server answers: a full load of the page
    // gets the new ones. Once per address until a navigation succeeds, so a chunk that stays
    // missing cannot make the page reload forever (and never without storage for that guard).
    const href = router.resolve(to).href;
    const storage = sessionStore();
    if (!storage || storage.getItem(RELOAD_KEY) === href || !(await serverAnswers(href))) return;
    try {
      storage.setItem(RELOAD_KEY, href);
    } catch {
      return;
    }
    location.assign(href);
  });
  router.afterEach((_to, _from, failure) => {
    if (failure) return;
    failedNavigation.value = undefined;
    sessionStore()?.removeItem(RELOAD_KEY);
  });
}
