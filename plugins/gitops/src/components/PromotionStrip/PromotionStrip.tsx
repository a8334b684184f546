import { InfoCard } from '@backstage/core-components';
import { PromotionStep } from '@gitops-portal/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import ArrowForwardIcon from '@material-ui/icons/ArrowForward';
import { Fragment } from 'react';

/** Which commit each environment runs, and how far each is behind the one before it. */
export function PromotionStrip(props: { steps: PromotionStep[] }) {
  if (!props.steps.some(s => s.sha)) return null;
  return (
    <InfoCard title="Promotion">
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
                aria-label={`${step.environment} behind ${
                  step.previousEnvironment ?? props.steps[i - 1].environment
                }`}
              >
                <ArrowForwardIcon fontSize="small" />
                {step.behindPrevious !== undefined && (
                  <Chip
                    size="small"
                    label={
                      step.sha === props.steps[i - 1].sha
                        ? 'same commit'
                        : `${step.behindPrevious} behind`
                    }
                  />
                )}
              </Box>
            )}
            <Box>
              <Typography variant="subtitle2">{step.environment}</Typography>
              <Typography variant="body2" color="textSecondary">
                {step.sha ? step.sha.slice(0, 7) : '—'}
                {step.commit ? ` ${step.commit.message.split('\n')[0]}` : ''}
              </Typography>
            </Box>
          </Fragment>
        ))}
      </Box>
    </InfoCard>
  );
}
