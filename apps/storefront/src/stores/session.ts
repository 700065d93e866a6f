import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import { logout, type LoginScope } from '../api/auth';
import { bootstrapAuth, redirectToLogin, rememberSignOut, type AuthState } from '../auth/bootstrap';

/** Who the shopper is; resolved once at startup by App.vue. */
export const useSessionStore = defineStore('session', () => {
  const state = shallowRef<AuthState>();
  const error = shallowRef<unknown>();

  const me = computed(() => (state.value?.kind === 'signed-in' ? state.value.me : undefined));
  const ready = computed(() => state.value !== undefined && state.value.kind !== 'redirecting');

  async function bootstrap(): Promise<void> {
    error.value = undefined;
    try {
      state.value = await bootstrapAuth();
    } catch (caught) {
      error.value = caught;
    }
  }

  function signIn(scope?: LoginScope): void {
    state.value = redirectToLogin(undefined, scope);
  }

  /**
   * Ends the BFF session, then forgets the shopper. Callers run `bootstrap()` afterwards: inside
   * WeChat that says 已退出登录 with 微信登录, rather than silently signing the same shopper in again.
   */
  async function signOut(): Promise<void> {
    await logout();
    rememberSignOut();
    state.value = undefined;
  }

  return { state, me, ready, error, bootstrap, signIn, signOut };
});
