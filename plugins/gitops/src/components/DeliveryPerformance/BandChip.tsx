import { DoraBand } from '@gitops-portal/plugin-gitops-common';
import Chip from '@material-ui/core/Chip';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { gitopsTranslationRef } from '../../translation';

// Okabe–Ito colours (distinguishable with colour blindness) with black text
// (contrast 5.3:1 or more on each); the band is always written too, never
// told by colour alone
const COLORS: Record<DoraBand, string> = {
  elite: '#009E73',
  high: '#56B4E9',
  medium: '#E69F00',
  low: '#D55E00',
};

/** The DORA performance band of a metric, as a labelled chip. */
export function BandChip(props: { band?: DoraBand }) {
  const { t } = useTranslationRef(gitopsTranslationRef);
  if (!props.band) {
    return (
      <Chip size="small" label={t('delivery.noData')} variant="outlined" />
    );
  }
  return (
    <Chip
      size="small"
      label={t(`delivery.band.${props.band}`)}
      aria-label={t('delivery.bandAria', { band: props.band })}
      style={{
        backgroundColor: COLORS[props.band],
        color: '#000',
        fontWeight: 600,
      }}
    />
  );
}
