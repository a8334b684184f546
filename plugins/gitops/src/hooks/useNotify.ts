import {
  alertApiRef,
  toastApiRef,
  useApi,
  useApiHolder,
} from '@backstage/frontend-plugin-api';
import { useCallback } from 'react';

/**
 * Tells the user how an action went: through the ToastApi where the app has
 * it (the new frontend system), else the AlertApi a legacy app has.
 */
export function useNotify() {
  const toast = useApiHolder().get(toastApiRef);
  const alert = useApi(alertApiRef);
  return useCallback(
    (message: { title: string; status: 'success' | 'danger' }) => {
      if (toast) {
        toast.post({
          title: message.title,
          status: message.status,
          // a success goes by itself; an error stays until read
          ...(message.status === 'success' ? { timeout: 5000 } : {}),
        });
        return;
      }
      alert.post({
        message: message.title,
        severity: message.status === 'danger' ? 'error' : 'success',
        ...(message.status === 'success'
          ? { display: 'transient' as const }
          : {}),
      });
    },
    [toast, alert],
  );
}
