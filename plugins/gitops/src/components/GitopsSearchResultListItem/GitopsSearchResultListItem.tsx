import { Link } from '@backstage/core-components';
import type { SearchDocument } from '@backstage/plugin-search-common';
import type {
  HealthStatus,
  SyncStatus,
} from '@gitops-portal/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import ListItem from '@material-ui/core/ListItem';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import { HealthChip, SyncChip } from '../StatusChips';

/**
 * Props of {@link GitopsSearchResultListItem}.
 *
 * @public
 */
export interface GitopsSearchResultListItemProps {
  /** A search result's document of type `gitops`. */
  result?: SearchDocument;
  icon?: JSX.Element;
  rank?: number;
}

/**
 * A GitOps application in the search results: its name linking to the
 * Deployments tab of its service, where it runs, what it runs, its status.
 *
 * @public
 */
export function GitopsSearchResultListItem(
  props: GitopsSearchResultListItemProps,
) {
  const doc = props.result as
    | (SearchDocument & {
        entityRef?: string;
        environment?: string;
        cluster?: string;
        revision?: string;
        syncStatus?: SyncStatus;
        healthStatus?: HealthStatus;
        kind?: string;
      })
    | undefined;
  if (!doc) return null;
  return (
    <ListItem alignItems="flex-start" divider>
      {props.icon && <ListItemIcon>{props.icon}</ListItemIcon>}
      <ListItemText
        primaryTypographyProps={{ variant: 'h6' }}
        primary={<Link to={doc.location}>{doc.title}</Link>}
        secondary={
          <Box component="span" display="block">
            <Box component="span" display="block">
              {doc.kind ?? 'Application'}
              {doc.entityRef && ` of ${doc.entityRef}`}
              {doc.environment && ` in ${doc.environment}`}
              {doc.cluster && ` on ${doc.cluster}`}
            </Box>
            <Box component="span" display="flex" mt={1} style={{ gap: 4 }}>
              {doc.syncStatus && <SyncChip status={doc.syncStatus} />}
              {doc.healthStatus && <HealthChip status={doc.healthStatus} />}
              {doc.revision && (
                <Chip
                  size="small"
                  variant="outlined"
                  label={`revision ${doc.revision}`}
                />
              )}
            </Box>
          </Box>
        }
        secondaryTypographyProps={{ component: 'span' }}
      />
    </ListItem>
  );
}
