import { InfoCard } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type {
  FleetMatrix as FleetMatrixData,
  FleetMatrixCell,
} from '@gitops-portal/plugin-gitops-common';
import ButtonBase from '@material-ui/core/ButtonBase';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { HealthChip, SyncChip } from '../StatusChips';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { GitopsT, gitopsTranslationRef } from '../../translation';
import { shortRevision } from '../format';

/** "v1.4.2 on 870 of 1,000 · 12 degraded": what one cell says. */
export function cellSummary(t: GitopsT, cell: FleetMatrixCell): string {
  const [top] = cell.revisions;
  const parts: string[] = [
    top
      ? t('fleet.cellRevision', {
          revision: shortRevision(top.revision),
          total: cell.total.toLocaleString('en-US'),
          on: top.count.toLocaleString('en-US'),
        })
      : t('fleet.cellApplications', {
          total: cell.total.toLocaleString('en-US'),
        }),
  ];
  if (cell.degraded)
    parts.push(
      t('fleet.cellDegraded', { n: cell.degraded.toLocaleString('en-US') }),
    );
  if (cell.outOfSync)
    parts.push(
      t('fleet.cellOutOfSync', {
        n: cell.outOfSync.toLocaleString('en-US'),
      }),
    );
  return parts.join(' · ');
}

/**
 * Service × environment over the whole fleet, each cell aggregated over the
 * clusters that run the service there; a cell opens its applications.
 */
export function FleetMatrix(props: {
  matrix: FleetMatrixData;
  onSelect: (service: string, environment: string) => void;
}) {
  const { t } = useTranslationRef(gitopsTranslationRef);
  const { matrix } = props;
  return (
    <InfoCard title={t('fleet.matrixTitle')}>
      <Table size="small" aria-label={t('fleet.matrixAria')}>
        <TableHead>
          <TableRow>
            <TableCell>{t('fleet.service')}</TableCell>
            {matrix.environments.map(env => (
              <TableCell key={env}>{env}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {matrix.rows.map(row => (
            <TableRow key={row.service}>
              <TableCell>
                {row.entityRef ? (
                  // the service's own page in the portal
                  <EntityRefLink
                    entityRef={row.entityRef}
                    title={row.service}
                  />
                ) : (
                  row.service
                )}
              </TableCell>
              {matrix.environments.map(env => {
                const cell = row.cells.find(c => c.environment === env);
                return (
                  <TableCell
                    key={env}
                    data-testid={`cell-${row.service}-${env}`}
                  >
                    {cell ? (
                      <ButtonBase
                        onClick={() => props.onSelect(row.service, env)}
                        aria-label={t('fleet.cellOpen', {
                          service: row.service,
                          environment: env,
                        })}
                        style={{
                          display: 'block',
                          textAlign: 'left',
                          borderRadius: 4,
                        }}
                      >
                        <SyncChip status={cell.sync} />{' '}
                        <HealthChip status={cell.health} />
                        <Typography variant="body2" color="textSecondary">
                          {cellSummary(t, cell)}
                        </Typography>
                      </ButtonBase>
                    ) : (
                      t('common.none')
                    )}
                  </TableCell>
                );
              })}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </InfoCard>
  );
}
