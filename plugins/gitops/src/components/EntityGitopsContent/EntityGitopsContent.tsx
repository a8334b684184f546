import {
  EmptyState,
  MissingAnnotationEmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  GITOPS_ANNOTATIONS,
  gitopsEntityChannel,
  isGitopsAvailable,
  EntityDeploymentsResponse,
  EntityChangesResponse,
} from '@gitops-portal/plugin-gitops-common';
import Grid from '@material-ui/core/Grid';
import { gitopsApiRef } from '../../api';
import { useLive } from '../../hooks/useLive';
import { DeploymentHistory } from '../DeploymentHistory';
import { EnvironmentCard } from './EnvironmentCard';
import { PromotionStrip } from '../PromotionStrip';
import { DeploymentsChart } from '../DeliveryPerformance';
import { ChangeDialog, EnvironmentChanges, RollbackButton } from '../Changes';
import { useState } from 'react';
import { ApplicationSetList } from '../ApplicationSets';
import { PreviewList } from '../Previews';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { gitopsTranslationRef } from '../../translation';

/** The first time a policy lets a held promotion through (a soak or freeze ending). */
const policyEnds = (v?: EntityChangesResponse) =>
  (v?.environments ?? [])
    .map(e => (e.promote.available ? undefined : e.promote.until))
    .filter((u): u is string => Boolean(u) && Date.parse(u!) > Date.now())
    .sort()[0];

/** Nothing to show yet: no change can be told on the entity's channel then. */
const noApplicationYet = (v?: EntityDeploymentsResponse) =>
  Boolean(v && v.environments.length === 0);

/**
 * The Deployments tab of an entity: each environment's applications, then
 * the deployment history.
 *
 * @public
 */
export function EntityGitopsContent() {
  const { entity } = useEntity();
  const api = useApi(gitopsApiRef);
  const { t } = useTranslationRef(gitopsTranslationRef);
  const available = isGitopsAvailable(entity);
  const ref = {
    kind: entity.kind,
    namespace: entity.metadata.namespace,
    name: entity.metadata.name,
  };
  const channel = gitopsEntityChannel(stringifyEntityRef(entity));
  const { value, error, retry, version } = useLive(
    async () => (available ? api.getEntityDeployments(ref) : undefined),
    [api, available, ref.kind, ref.namespace, ref.name],
    { channel, pollWhile: noApplicationYet },
  );

  // promotion and rollback: what is possible, and proposals under way
  const changes = useLive(
    async () => (available ? api.getEntityChanges(ref) : undefined),
    [api, available, ref.kind, ref.namespace, ref.name],
    // a held promotion opens when its soak or freeze window ends
    { channel, intervalMs: 15_000, reloadAt: policyEnds },
  );
  const changeEntity = { ...ref, ref: stringifyEntityRef(entity) };
  const optionsOf = (env: string) =>
    changes.value?.environments.find(e => e.environment === env);
  // the rollback dialog lives here: the history's rows are replaced when
  // it reloads (a live update), and a dialog inside one would close
  const [rollback, setRollback] = useState<{
    environment: string;
    deploymentId: string;
  }>();
  const refreshAll = () => {
    retry();
    changes.retry();
  };

  if (!available) {
    return (
      <MissingAnnotationEmptyState
        annotation={[
          GITOPS_ANNOTATIONS.ARGOCD_APP_NAME,
          GITOPS_ANNOTATIONS.ARGOCD_APP_SELECTOR,
        ]}
      />
    );
  }
  if (error && !value) return <ResponseErrorPanel error={error} />;
  if (!value) return <Progress />;
  if (value.environments.length === 0) {
    return (
      <EmptyState
        missing="data"
        title={t('deploymentsTab.noDeploymentsTitle')}
        description={t('deploymentsTab.noDeploymentsDescription')}
      />
    );
  }
  return (
    <Grid container spacing={3}>
      {value.promotion && value.promotion.length > 1 && (
        <Grid item xs={12}>
          <PromotionStrip
            steps={value.promotion}
            images={Object.fromEntries(
              value.environments.map(e => [
                e.environment,
                e.applications.flatMap(a => a.images ?? []),
              ]),
            )}
          />
        </Grid>
      )}
      {value.environments.map(env => (
        <Grid item xs={12} md={6} lg={4} key={env.environment}>
          <EnvironmentCard
            environment={env}
            onChange={refreshAll}
            footer={
              <EnvironmentChanges
                entity={changeEntity}
                options={optionsOf(env.environment)}
                commits={
                  value.promotion?.find(
                    step => step.environment === env.environment,
                  )?.behindPrevious
                }
                proposals={changes.value?.proposals ?? []}
                onChange={refreshAll}
              />
            }
          />
        </Grid>
      ))}
      {value.previews && value.previews.length > 0 && (
        <Grid item xs={12}>
          <PreviewList previews={value.previews} />
        </Grid>
      )}
      {value.applicationSets && value.applicationSets.length > 0 && (
        <Grid item xs={12}>
          <ApplicationSetList sets={value.applicationSets} />
        </Grid>
      )}
      <Grid item xs={12}>
        <DeploymentsChart
          entity={entity}
          version={version}
          environments={value.environments.map(e => e.environment)}
        />
      </Grid>
      <Grid item xs={12}>
        <DeploymentHistory
          entity={ref}
          renderActions={d => (
            <RollbackButton
              entity={changeEntity}
              environment={d.environment}
              deploymentId={d.id}
              options={optionsOf(d.environment)}
              onOpen={setRollback}
              runsNow={value.environments
                .find(e => e.environment === d.environment)
                ?.applications.some(
                  a => a.revisions.join() === d.revisions.join(),
                )}
              onChange={refreshAll}
            />
          )}
          environments={value.environments.map(e => e.environment)}
          latestDeployment={`${value.environments
            .flatMap(e => e.applications.map(a => a.lastSyncedAt ?? ''))
            .sort()
            .at(-1)}@${version ?? ''}`}
        />
      </Grid>
      {rollback && (
        <ChangeDialog
          entity={changeEntity}
          request={{ action: 'rollback', ...rollback }}
          onClose={() => setRollback(undefined)}
          onProposed={() => {
            setRollback(undefined);
            refreshAll();
          }}
        />
      )}
    </Grid>
  );
}
