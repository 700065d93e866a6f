import { onScopeDispose, shallowRef, type ShallowRef } from 'vue';

export interface AsyncData<T> {
  data: ShallowRef<T | undefined>;
  error: ShallowRef<unknown>;
  loading: ShallowRef<boolean>;
  reload: () => Promise<void>;
}

/** Loads data for a view with loading/error state; a newer load or unmount aborts the older one. */
export function useAsyncData<T>(loader: (signal: AbortSignal) => Promise<T>): AsyncData<T> {
  const data = shallowRef<T>();
  const error = shallowRef<unknown>();
  const loading = shallowRef(false);
  let controller: AbortController | undefined;

  const reload = async (): Promise<void> => {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    loading.value = true;
    error.value = undefined;
    try {
      const value = await loader(current.signal);
      if (!current.signal.aborted) data.value = value;
    } catch (caught) {
      if (!current.signal.aborted) error.value = caught;
    } finally {
      if (!current.signal.aborted) loading.value = false;
    }
  };

  onScopeDispose(() => controller?.abort());
  void reload();
  return { data, error, loading, reload };
}
