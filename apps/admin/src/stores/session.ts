/** The signed-in operator: name, role and the CSRF token the API wants on writes. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api, ApiFailure, setCsrfToken } from '../api';

export interface Me {
  name: string;
  role: 'viewer' | 'operator' | 'admin';
  csrfToken: string;
  refundLimitFen?: number | null;
}

export const useSession = defineStore('session', () => {
  const me = ref<Me | null>(null);
  const checked = ref(false);

  function adopt(value: Me | null) {
    me.value = value;
    setCsrfToken(value?.csrfToken ?? '');
  }

  async function load(): Promise<void> {
    try {
      adopt(await api<Me>('/me'));
    } catch (err) {
      if (!(err instanceof ApiFailure && err.status === 401)) throw err;
      adopt(null);
    } finally {
      checked.value = true;
    }
  }

  async function signIn(name: string, password: string): Promise<void> {
    adopt(await api<Me>('/sign-in', { json: { name, password } }));
    await load();
  }

  async function signOut(): Promise<void> {
    await api('/sign-out', { method: 'POST' });
    adopt(null);
  }

  const can = (role: Me['role']) => {
    const rank = { viewer: 0, operator: 1, admin: 2 };
    return me.value !== null && rank[me.value.role] >= rank[role];
  };

  return { me, checked, load, signIn, signOut, can };
});
