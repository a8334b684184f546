import {
  NotFoundErrorPage,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { Navigate, useLocation } from 'react-router-dom';

/** `/` opens the catalog; any other path no page claims stays a 404. */
function Home() {
  const { pathname } = useLocation();
  if (pathname.replace(/\/+$/, '') === '') {
    return <Navigate to="/catalog" replace />;
  }
  return <NotFoundErrorPage />;
}

/**
 * The portal's front door: `/`, where sign-in lands, opens the catalog
 * instead of a 404 page.
 */
export const HomeRedirect = PageBlueprint.make({
  name: 'home-redirect',
  params: {
    path: '/',
    noHeader: true,
    loader: async () => <Home />,
  },
});
