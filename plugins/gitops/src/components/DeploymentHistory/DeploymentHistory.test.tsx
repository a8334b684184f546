import { registerStrictMswHooks } from '@gitops-portal/gitops-test-utils/src/msw';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { emptyAnswers } from '../../__testUtils__/emptyAnswers';
import { useState } from 'react';
import { historyRows } from '../../__fixtures__/data';
import { BASE_URL, renderWithApis } from '../../__testUtils__/renderWithApis';
import { DeploymentHistory } from './DeploymentHistory';

const server = setupServer(...emptyAnswers);
registerStrictMswHooks(server);

function Harness() {
  const [latest, setLatest] = useState('t1');
  return (
    <>
      <button onClick={() => setLatest('t2')}>new deployment</button>
      <DeploymentHistory
        entity={{ kind: 'component', namespace: 'default', name: 'fresh' }}
        environments={['dev']}
        latestDeployment={latest}
      />
    </>
  );
}

describe('DeploymentHistory', () => {
  it('reloads the first page when a new deployment lands', async () => {
    let rows = historyRows(1);
    let requests = 0;
    server.use(
      http.get(`${BASE_URL}/entities/component/default/fresh/history`, () => {
        requests += 1;
        return HttpResponse.json({ items: rows });
      }),
    );
    await renderWithApis(<Harness />);
    expect(await screen.findAllByRole('row')).toHaveLength(2); // header + 1
    rows = historyRows(2);
    await userEvent.click(screen.getByText('new deployment'));
    expect(await screen.findByText('Failed')).toBeInTheDocument();
    expect(screen.getAllByRole('row')).toHaveLength(3);
    expect(requests).toBe(2);
  });
});
