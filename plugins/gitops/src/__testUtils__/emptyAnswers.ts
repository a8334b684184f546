import { http, HttpResponse } from 'msw';
import { BASE_URL } from './renderWithApis';

/**
 * What the GitOps backend answers where there is nothing to tell: no
 * delivery metrics per environment, no promotions, no teams, an empty fleet
 * matrix, no controllers or ApplicationSets read. A page reads these beside
 * what a test is about; a test that is about one of them serves its own
 * answer with `server.use`, which takes precedence.
 */
export const emptyAnswers = [
  http.get(
    `${BASE_URL}/metrics/entities/:kind/:namespace/:name/environments`,
    () => HttpResponse.json({ items: [] }),
  ),
  http.get(`${BASE_URL}/entities/:kind/:namespace/:name/changes`, () =>
    HttpResponse.json({ environments: [], proposals: [] }),
  ),
  http.get(`${BASE_URL}/metrics/teams`, () => HttpResponse.json([])),
  http.get(`${BASE_URL}/fleet/matrix`, () =>
    HttpResponse.json({ environments: [], rows: [] }),
  ),
  http.get(`${BASE_URL}/controllers`, () => HttpResponse.json({ items: [] })),
  http.get(`${BASE_URL}/applicationsets`, () =>
    HttpResponse.json({ items: [] }),
  ),
];
