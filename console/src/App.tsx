import { useEffect } from 'react';
import { useSession } from './auth';
import { Layout } from './components/Layout';
import { AuditPage } from './pages/audit/AuditPage';
import { ChannelsPage } from './pages/channels/ChannelsPage';
import { EditJobPage, JobForm } from './pages/job/JobForm';
import { JobPage } from './pages/job/JobPage';
import { JobsPage } from './pages/jobs/JobsPage';
import { OverviewPage } from './pages/overview/OverviewPage';
import { RunPage } from './pages/run/RunPage';
import { RunsPage } from './pages/runs/RunsPage';
import { SignInPage } from './pages/signin/SignInPage';
import { UsersPage } from './pages/users/UsersPage';
import { useLocation } from './router';

export function App() {
  const { token } = useSession();
  const { path } = useLocation();
  const page = route(path);
  useEffect(() => {
    document.title = token ? `${page.title} · Jobs console` : 'Sign in · Jobs console';
  }, [token, page.title]);
  if (!token) return <SignInPage />;
  return <Layout key={path}>{page.element}</Layout>;
}

function route(path: string): { title: string; element: React.ReactNode } {
  let m: RegExpExecArray | null;
  if (path === '/' || path === '') return { title: 'Overview', element: <OverviewPage /> };
  if (path === '/jobs') return { title: 'Jobs', element: <JobsPage /> };
  if (path === '/jobs/new') return { title: 'New job', element: <JobForm /> };
  if ((m = /^\/jobs\/(\d+)\/edit$/.exec(path)))
    return { title: 'Edit job', element: <EditJobPage id={Number(m[1])} /> };
  if ((m = /^\/jobs\/(\d+)$/.exec(path))) return { title: 'Job', element: <JobPage id={Number(m[1])} /> };
  if (path === '/runs') return { title: 'Runs', element: <RunsPage /> };
  if ((m = /^\/runs\/(\d+)$/.exec(path))) return { title: `Run ${m[1]}`, element: <RunPage id={Number(m[1])} /> };
  if (path === '/audit') return { title: 'Audit log', element: <AuditPage /> };
  if (path === '/users') return { title: 'Users', element: <UsersPage /> };
  if (path === '/channels') return { title: 'Channels', element: <ChannelsPage /> };
  return { title: 'Not found', element: <h1>Page not found</h1> };
}
