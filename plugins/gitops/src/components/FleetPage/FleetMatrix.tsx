import { InfoCard } from '@backstage/core-components';
import {
  GitopsApplication,
  rollUpHealth,
  rollUpSync,
} from '@gitops-portal/plugin-gitops-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { HealthChip, SyncChip } from '../StatusChips';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { gitopsTranslationRef } from '../../translation';

/** The service of an application: its name without a trailing environment. */
function serviceOf(app: GitopsApplication): string {
  return app.name.replace(new RegExp(`[-_.]${app.environment}$`), '');
}

/** Service × environment: the rolled-up status of each cell. */
export function FleetMatrix(props: {
  applications: GitopsApplication[];
  environments: string[];
}) {
  const { t } = useTranslationRef(gitopsTranslationRef);
  const services = [...new Set(props.applications.map(serviceOf))].sort();
  const cell = (service: string, env: string) =>
    props.applications.filter(
      a => serviceOf(a) === service && a.environment === env,
    );
  return (
    <InfoCard title={t('fleet.matrixTitle')}>
      <Table size="small" aria-label={t('fleet.matrixAria')}>
        <TableHead>
          <TableRow>
            <TableCell>{t('fleet.service')}</TableCell>
            {props.environments.map(env => (
              <TableCell key={env}>{env}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {services.map(service => (
            <TableRow key={service}>
              <TableCell>{service}</TableCell>
              {props.environments.map(env => {
                const apps = cell(service, env);
                return (
                  <TableCell key={env} data-testid={`cell-${service}-${env}`}>
                    {apps.length ? (
                      <>
                        <SyncChip
                          status={rollUpSync(apps.map(a => a.syncStatus))}
                        />{' '}
                        <HealthChip
                          status={rollUpHealth(apps.map(a => a.healthStatus))}
                        />
                      </>
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
