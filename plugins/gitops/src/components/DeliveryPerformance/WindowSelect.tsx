import { DeliveryMetricsWindow } from '@gitops-portal/plugin-gitops-common';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';

/** Picks the window the delivery metrics cover: 7, 30 or 90 days. */
export function WindowSelect(props: {
  value: DeliveryMetricsWindow;
  onChange: (window: DeliveryMetricsWindow) => void;
}) {
  return (
    <Select
      value={props.value}
      onChange={e => props.onChange(e.target.value as DeliveryMetricsWindow)}
      inputProps={{ 'aria-label': 'Window' }}
    >
      {[7, 30, 90].map(days => (
        <MenuItem key={days} value={days}>
          {days} days
        </MenuItem>
      ))}
    </Select>
  );
}
