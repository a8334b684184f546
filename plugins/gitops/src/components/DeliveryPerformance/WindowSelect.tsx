import { DeliveryMetricsWindow } from '@gitops-portal/plugin-gitops-common';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { gitopsTranslationRef } from '../../translation';

/** Picks the window the delivery metrics cover: 7, 30 or 90 days. */
export function WindowSelect(props: {
  value: DeliveryMetricsWindow;
  onChange: (window: DeliveryMetricsWindow) => void;
}) {
  const { t } = useTranslationRef(gitopsTranslationRef);
  return (
    <Select
      value={props.value}
      onChange={e => props.onChange(e.target.value as DeliveryMetricsWindow)}
      inputProps={{ 'aria-label': t('delivery.window') }}
    >
      {[7, 30, 90].map(days => (
        <MenuItem key={days} value={days}>
          {t('common.days', { count: days })}
        </MenuItem>
      ))}
    </Select>
  );
}
