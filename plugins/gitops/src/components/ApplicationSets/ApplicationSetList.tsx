import { InfoCard } from '@backstage/core-components';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { ApplicationSetStatus } from '@gitops-portal/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { gitopsTranslationRef } from '../../translation';
import { relativeTime } from '../format';

/** Condition types that say something is wrong when True. */
const BAD_WHEN_TRUE = new Set(['ErrorOccurred']);
/** Condition types that say something is wrong when False. */
const BAD_WHEN_FALSE = new Set(['ResourcesUpToDate', 'ParametersGenerated']);

const isBad = (c: { type: string; status: string }) =>
  (BAD_WHEN_TRUE.has(c.type) && c.status === 'True') ||
  (BAD_WHEN_FALSE.has(c.type) && c.status === 'False');

/** One ApplicationSet: its conditions and where each application's step is. */
export function ApplicationSetItem(props: { set: ApplicationSetStatus }) {
  const { set } = props;
  const { t } = useTranslationRef(gitopsTranslationRef);
  const rolling = set.strategy === 'RollingSync';
  return (
    <Box mb={2} aria-label={t('applicationSets.aria', { name: set.name })}>
      <Typography variant="subtitle1">
        {t('applicationSets.name', { name: set.name })}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {set.instance} · {set.namespace} ·{' '}
        {rolling
          ? t('applicationSets.rollingSync', { count: set.steps ?? 0 })
          : t('applicationSets.allAtOnce')}
      </Typography>
      <Box display="flex" flexWrap="wrap" style={{ gap: 4 }} mt={0.5}>
        {set.conditions.map(c => (
          <Chip
            key={c.type}
            size="small"
            variant={isBad(c) ? 'default' : 'outlined'}
            color={isBad(c) ? 'secondary' : 'default'}
            label={t('applicationSets.condition', {
              type: c.type,
              status: c.status,
            })}
            title={c.message}
          />
        ))}
      </Box>
      {set.conditions.filter(isBad).map(c =>
        c.message ? (
          <Typography key={c.type} variant="body2" color="error">
            {c.message}
          </Typography>
        ) : null,
      )}
      {rolling &&
        [...set.applications]
          .sort((a, b) => (a.step ?? 0) - (b.step ?? 0))
          .map(a => (
            <Typography key={a.application} variant="body2">
              {a.step !== undefined
                ? `${t('applicationSets.step', { step: String(a.step) })} · `
                : ''}
              {a.application}: {a.status ?? t('common.unknown')}
              {a.lastTransitionTime
                ? ` · ${relativeTime(a.lastTransitionTime)}`
                : ''}
            </Typography>
          ))}
    </Box>
  );
}

/** ApplicationSets with their conditions and progressive-sync steps. */
export function ApplicationSetList(props: { sets: ApplicationSetStatus[] }) {
  const { t } = useTranslationRef(gitopsTranslationRef);
  return (
    <InfoCard title={t('applicationSets.title')}>
      {props.sets.length === 0 ? (
        <Typography>{t('applicationSets.empty')}</Typography>
      ) : (
        props.sets.map(set => (
          <ApplicationSetItem
            key={`${set.instance}/${set.namespace}/${set.name}`}
            set={set}
          />
        ))
      )}
    </InfoCard>
  );
}
