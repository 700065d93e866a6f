import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import { bootstrapAuth, redirectToLogin, type AuthState } from '../auth/bootstrap';

/** Who the shopper is; resolved once at startup by App.vue. */
export const useSessionStore = defineStore('session', () => {
  const state = shallowRef<AuthState>();
  const loading = shallowRef(false);
  const error = shallowRef<unknown>();

  const me = computed(() => (state.value?.kind === 'signed-in' ? state.value.me : undefined));
  const ready = computed(() => state.value !== undefined && state.value.kind !== 'redirecting');

  async function bootstrap(): Promise<void> {
    loading.value = true;
    error.value = undefined;
    try {
      state.value = await bootstrapAuth();
    } catch (caught) {
      error.value = caught;
    } finally {
      loading.value = false;
    }
  }

  function signIn(): void {
    state.value = redirectToLogin();
  }

  return { state, me, ready, loading, error, bootstrap, signIn };
});
