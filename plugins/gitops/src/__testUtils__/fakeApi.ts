import { GitopsApi } from '../api';

/**
 * A GitopsApi whose every method is a jest mock answering "nothing yet", for
 * tests that only check the plugin's wiring. Typed against GitopsApi so a new
 * client method cannot be forgotten here.
 */
export function fakeGitopsApi(): jest.Mocked<GitopsApi> {
  const api: Record<keyof GitopsApi, jest.Mock> = {
    getEntityDeployments: jest.fn(async () => ({
      entityRef: 'component:default/x',
      environments: [],
    })),
    getEntityHistory: jest.fn(async () => ({ items: [], totalCount: 0 })),
    getFleet: jest.fn(async () => ({ items: [], totalCount: 0 })),
    getFleetMatrix: jest.fn(async () => ({ environments: [], rows: [] })),
    getDeliveryMetrics: jest.fn(),
    getEntityDeliveryMetricsByEnvironment: jest.fn(async () => []),
    getTeamDeliveryMetrics: jest.fn(async () => []),
    getControllers: jest.fn(async () => []),
    getApplicationSets: jest.fn(async () => []),
    getAuditCsv: jest.fn(async () => ''),
    getEntityChanges: jest.fn(),
    proposeChange: jest.fn(),
    runAction: jest.fn(),
  };
  return api as unknown as jest.Mocked<GitopsApi>;
}
