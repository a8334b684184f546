import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  DeliveryMetrics,
  DeliveryMetricsWindow,
} from '@gitops-portal/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { BandChip } from './BandChip';
import { WindowSelect } from './WindowSelect';
import { keyFigures, trendOf } from './metricsFormat';
import { useDeliveryMetrics } from './useDeliveryMetrics';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { gitopsTranslationRef } from '../../translation';

/** The four keys of one window, with bands and the trend. */
export function DeliveryFigures(props: { metrics: DeliveryMetrics }) {
  const { current, previous, window } = props.metrics;
  const { t } = useTranslationRef(gitopsTranslationRef);
  const before = new Map(keyFigures(t, previous).map(f => [f.key, f]));
  return (
    <Grid container spacing={2}>
      {keyFigures(t, current).map(f => {
        const trend = trendOf(f.raw, before.get(f.key)?.raw, f.higherIsBetter);
        return (
          <Grid item xs={12} sm={6} key={f.key}>
            <Box
              role="group"
              aria-label={f.label}
              display="flex"
              flexDirection="column"
              style={{ gap: 4 }}
            >
              <Typography variant="overline">{f.label}</Typography>
              <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                <Typography variant="h5">{f.value}</Typography>
                <BandChip band={f.band} />
              </Box>
              <Typography variant="caption" color="textSecondary">
                {f.detail}
                {trend &&
                  ` · ${t(`delivery.trend.${trend}`, {
                    days: String(window.days),
                    value: before.get(f.key)?.value ?? t('common.none'),
                  })}`}
              </Typography>
            </Box>
          </Grid>
        );
      })}
    </Grid>
  );
}

/**
 * Entity overview card: DORA's four keys for the entity's applications in
 * its last environment, with their 2024 bands and the trend.
 *
 * @public
 */
export function DeliveryPerformanceCard() {
  const { entity } = useEntity();
  const [window, setWindow] = useState<DeliveryMetricsWindow>(30);
  const { t } = useTranslationRef(gitopsTranslationRef);
  const { value, loading, error } = useDeliveryMetrics(entity, window);
  let body;
  if (error) body = <ResponseErrorPanel error={error} />;
  else if (loading || !value) body = <Progress />;
  else body = <DeliveryFigures metrics={value} />;
  return (
    <InfoCard
      title={t('delivery.title')}
      subheader={
        value
          ? t('delivery.subheader', { environment: value.environment })
          : undefined
      }
      action={<WindowSelect value={window} onChange={setWindow} />}
    >
      {body}
    </InfoCard>
  );
}
