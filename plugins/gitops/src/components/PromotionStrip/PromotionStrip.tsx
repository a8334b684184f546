import { InfoCard } from '@backstage/core-components';
import { PromotionStep } from '@gitops-portal/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import ArrowForwardIcon from '@material-ui/icons/ArrowForward';
import { Fragment } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { gitopsTranslationRef } from '../../translation';

/** `repo:tag` or `repo@sha256:…` split into the repository and its version. */
export function splitImage(image: string): { repo: string; version: string } {
  const at = image.indexOf('@');
  if (at > 0) return { repo: image.slice(0, at), version: image.slice(at + 1) };
  const colon = image.lastIndexOf(':');
  if (colon > image.lastIndexOf('/'))
    return { repo: image.slice(0, colon), version: image.slice(colon + 1) };
  return { repo: image, version: 'latest' };
}

/** The images whose tag or digest differs from the environment before. */
export function imageDifferences(
  previous: string[] = [],
  current: string[] = [],
): Array<{ repo: string; from: string; to: string }> {
  const before = new Map(previous.map(i => [splitImage(i).repo, i]));
  return current.flatMap(image => {
    const { repo, version } = splitImage(image);
    const prev = before.get(repo);
    if (!prev) return [];
    const from = splitImage(prev).version;
    return from === version ? [] : [{ repo, from, to: version }];
  });
}

/** Which commit each environment runs, and how far each is behind the one before it. */
export function PromotionStrip(props: {
  steps: PromotionStep[];
  /** Images each environment runs, to show where tags differ. */
  images?: Record<string, string[]>;
}) {
  const { t } = useTranslationRef(gitopsTranslationRef);
  if (!props.steps.some(s => s.sha)) return null;
  return (
    <InfoCard title={t('promotionStrip.title')}>
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        style={{ gap: 12 }}
      >
        {props.steps.map((step, i) => (
          <Fragment key={step.environment}>
            {i > 0 && (
              <Box
                display="flex"
                alignItems="center"
                aria-label={t('promotionStrip.behindAria', {
                  environment: step.environment,
                  previous:
                    step.previousEnvironment ?? props.steps[i - 1].environment,
                })}
              >
                <ArrowForwardIcon fontSize="small" />
                {step.behindPrevious !== undefined && (
                  <Chip
                    size="small"
                    label={
                      step.sha === props.steps[i - 1].sha
                        ? t('promotionStrip.sameCommit')
                        : t('promotionStrip.behind', {
                            commits: String(step.behindPrevious),
                          })
                    }
                  />
                )}
              </Box>
            )}
            <Box>
              <Typography variant="subtitle2">{step.environment}</Typography>
              <Typography variant="body2" color="textSecondary">
                {step.sha ? step.sha.slice(0, 7) : t('common.none')}
                {step.commit ? ` ${step.commit.message.split('\n')[0]}` : ''}
              </Typography>
              {i > 0 &&
                imageDifferences(
                  props.images?.[props.steps[i - 1].environment],
                  props.images?.[step.environment],
                ).map(d => (
                  <Typography
                    key={d.repo}
                    variant="caption"
                    component="div"
                    aria-label={t('promotionStrip.imageDiffers', {
                      repo: d.repo,
                    })}
                  >
                    {t('promotionStrip.imageDifference', {
                      image: d.repo.split('/').pop() ?? d.repo,
                      to: d.to,
                      previous: props.steps[i - 1].environment,
                      from: d.from,
                    })}
                  </Typography>
                ))}
            </Box>
          </Fragment>
        ))}
      </Box>
    </InfoCard>
  );
}
